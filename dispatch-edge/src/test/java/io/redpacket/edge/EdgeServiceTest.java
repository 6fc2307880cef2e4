package io.redpacket.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.edge.control.AdminService;
import io.redpacket.edge.control.Switches;
import io.redpacket.edge.dispense.Campaign;
import io.redpacket.edge.dispense.Dispenser;
import io.redpacket.edge.dispense.ShardTable;
import io.redpacket.edge.dispense.SlotSchedule;
import io.redpacket.edge.guard.EdgeLimits;
import io.redpacket.edge.metrics.EdgeMetrics;
import io.redpacket.edge.metrics.PrometheusText;
import io.redpacket.io.CampaignLayout;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.open.OpenVerdict;
import io.redpacket.open.OpenVerifier;
import io.redpacket.session.SessionReject;
import io.redpacket.testkit.GeneratedCampaign;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The shake rules on real generated files, without a network or Kafka (shake-only role). */
@Timeout(60)
public class EdgeServiceTest {
    static final String ADMIN = "Bearer admin-token-0123456789";
    /** Limits that stay out of the way of rule tests (no per-user pacing, no load shedding). */
    public static final EdgeLimits NO_PACING =
            EdgeLimits.defaults().withUserRate(0, 1).withAddressRate(0, 1).withShedLag(0);

    @TempDir
    Path tmp;

    public static EdgeService shakeEdge(
            GeneratedCampaign c, Path state, ShardTable table, EdgeSettings s, EdgeClock clock, boolean verify)
            throws IOException {
        return shakeEdge(c, state, table, s, NO_PACING, clock, verify);
    }

    public static EdgeService shakeEdge(
            GeneratedCampaign c,
            Path state,
            ShardTable table,
            EdgeSettings s,
            EdgeLimits limits,
            EdgeClock clock,
            boolean verify)
            throws IOException {
        Campaign campaign = Campaign.load(c.dir);
        EdgeMetrics metrics = new EdgeMetrics();
        Dispenser d = new Dispenser(
                campaign,
                SlotSchedule.of(campaign.plan()),
                table,
                s.edgeId(),
                state,
                s.reservationBlock(),
                verify,
                metrics);
        return new EdgeService(
                s.toBuilder().shakeRole(true).openRole(false).build(),
                limits,
                campaign,
                d,
                c.ring.tokenOnly(),
                c.sessionRing.sessionOnly(),
                new KeyBlacklist(),
                null,
                metrics,
                clock);
    }

    /** A shake by {@code user} with its own session and device. */
    public static ShakeResult shake(EdgeService edge, GeneratedCampaign c, String user, String state) {
        return edge.shake(c.session(user), GeneratedCampaign.device(user), state);
    }

    public static long envelopeId(GeneratedCampaign c, String token, String user) {
        OpenVerdict v = new OpenVerifier(c.ring, new KeyBlacklist(), null, 0).verify(token, user, 0);
        assertThat(v.isValid()).as("token of %s: %s", user, v.reason()).isTrue();
        return v.ticket().envelopeId();
    }

    static ControlCommand command(ControlAction action, Integer keyId, Integer edgeId, Long value) {
        return ControlCommand.newBuilder()
                .setCommandId("t-" + System.nanoTime())
                .setIssuedAtMs(0)
                .setOperator("test")
                .setAction(action)
                .setKeyId(keyId)
                .setEdgeId(edgeId)
                .setValue(value)
                .build();
    }

    @Test
    void atMostThreePerUserAndOnePerSponsorFromBlobAndFromMemory() throws IOException {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(5)
                .perAllocation(40)
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        EdgeService edge = shakeEdge(
                c, tmp.resolve("state"), ShardTable.primaryOnly(1, List.of(0)), EdgeSettings.defaults(1), clock, true);
        String state = null;
        Set<String> sponsors = new HashSet<>();
        int won = 0;
        for (int i = 0; i < 30; i++) {
            clock.advance(150);
            ShakeResult r = shake(edge, c, "alice", state);
            if (r.kind() == ShakeResult.Kind.ENVELOPE) {
                won++;
                assertThat(sponsors.add(r.sponsorId()))
                        .as("second envelope of %s", r.sponsorId())
                        .isTrue();
                envelopeId(c, r.token(), "alice");
            }
            state = r.state();
        }
        assertThat(won).isEqualTo(3);
        assertThat(shake(edge, c, "alice", state).kind()).isEqualTo(ShakeResult.Kind.CAPPED);
        // dropping the blob does not help: the edge remembers
        assertThat(shake(edge, c, "alice", null).kind()).isEqualTo(ShakeResult.Kind.CAPPED);
        // another edge (no memory of alice) reads the blob
        EdgeService other = shakeEdge(
                c, tmp.resolve("state2"), ShardTable.primaryOnly(2, List.of(0)), EdgeSettings.defaults(2), clock, true);
        assertThat(shake(other, c, "alice", state).kind()).isEqualTo(ShakeResult.Kind.CAPPED);
        // a forged blob gets nothing and is counted
        assertThat(shake(other, c, "alice", state.substring(0, state.length() - 2) + "AA")
                        .detail())
                .isEqualTo("state not authentic");
        assertThat(other.metrics().stateTampered.sum()).isEqualTo(1);
        assertThat(edge.metrics().dispensed()).isEqualTo(3);
    }

    @Test
    void withoutAValidSessionNothingIsDispensedAndTheReasonIsSaid() throws IOException {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(3)
                .perAllocation(20)
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        EdgeService edge = shakeEdge(
                c, tmp.resolve("state"), ShardTable.primaryOnly(1, List.of(0)), EdgeSettings.defaults(1), clock, true);
        assertThat(edge.shake(null, "dev-x", null).toJson())
                .contains("\"result\":\"unauthenticated\"", "\"reason\":\"MISSING\"");
        assertThat(edge.shake(c.session("bob"), "dev-alice", null).detail()).isEqualTo("DEVICE_MISMATCH");
        assertThat(edge.shake("AAAA", "dev-bob", null).detail()).isEqualTo("MALFORMED");
        clock.set(GeneratedCampaign.T0 + 21 * 3600 * 1000L);
        assertThat(shake(edge, c, "bob", null).detail()).isEqualTo("EXPIRED");
        assertThat(shake(edge, c, "bob", null).httpStatus()).isEqualTo(401);
        assertThat(edge.metrics().unauthenticatedOf(SessionReject.EXPIRED)).isEqualTo(2);
        assertThat(edge.metrics().dispensed()).isZero();
    }

    @Test
    void quotaSpreadsASecondOverTenBucketsAndSaysSlowDown() throws IOException {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(3)
                .perAllocation(200)
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 10_000);
        EdgeService edge = shakeEdge(
                c,
                tmp.resolve("state"),
                ShardTable.primaryOnly(1, List.of(0)),
                EdgeSettings.builder(1).dispensePerSecond(30).build(),
                clock,
                true);
        int envelopes = 0;
        ShakeResult slow = null;
        for (int u = 0; u < 20; u++) {
            ShakeResult r = shake(edge, c, "u" + u, null);
            if (r.kind() == ShakeResult.Kind.ENVELOPE) {
                envelopes++;
            } else {
                slow = r;
            }
        }
        assertThat(envelopes).isEqualTo(3);
        assertThat(slow.kind()).isEqualTo(ShakeResult.Kind.SLOW_DOWN);
        assertThat(slow.httpStatus()).isEqualTo(200);
        assertThat(slow.nextShakeMs()).isBetween(1L, 200L);
        assertThat(slow.toJson()).contains("\"result\":\"slow_down\"", "\"retryAfterMs\":");
        clock.advance(100);
        assertThat(shake(edge, c, "late", null).kind()).isEqualTo(ShakeResult.Kind.ENVELOPE);
        new Switches(edge).apply(command(ControlAction.SET_DISPENSE_RATE, null, null, 0L));
        clock.advance(100);
        assertThat(shake(edge, c, "later", null).kind()).isEqualTo(ShakeResult.Kind.SLOW_DOWN);
        assertThat(edge.metrics().slowDowns()).isEqualTo(18);
    }

    @Test
    void followsTheTimeAxisWithCountdownShiftAndPause() throws IOException {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .slots(2)
                .sponsors(2)
                .perAllocation(20)
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 - 5000);
        EdgeService edge = shakeEdge(
                c, tmp.resolve("state"), ShardTable.primaryOnly(1, List.of(0)), EdgeSettings.defaults(1), clock, true);
        ShakeResult before = shake(edge, c, "u", null);
        assertThat(before.kind()).isEqualTo(ShakeResult.Kind.NOTHING);
        assertThat(before.nextShakeMs()).isEqualTo(5000);
        Switches switches = new Switches(edge);
        assertThat(switches.apply(command(ControlAction.SHIFT_COUNTDOWN, null, null, -10_000L)))
                .isEqualTo(Switches.Outcome.APPLIED);
        assertThat(shake(edge, c, "u", null).kind()).isEqualTo(ShakeResult.Kind.ENVELOPE);
        switches.apply(command(ControlAction.PAUSE_DISPENSING, null, null, null));
        assertThat(shake(edge, c, "v", null).detail()).isEqualTo("paused");
        // a command for another edge is not this one's
        assertThat(switches.apply(command(ControlAction.RESUME_DISPENSING, null, 9, null)))
                .isEqualTo(Switches.Outcome.IGNORED);
        assertThat(shake(edge, c, "v", null).detail()).isEqualTo("paused");
        switches.apply(command(ControlAction.RESUME_DISPENSING, null, null, null));
        assertThat(shake(edge, c, "v", null).kind()).isEqualTo(ShakeResult.Kind.ENVELOPE);
        assertThat(switches.apply(command(ControlAction.SET_CHANNEL_LIMIT, null, null, 5L)))
                .isEqualTo(Switches.Outcome.IGNORED);
        assertThat(switches.apply(command(ControlAction.SET_DISPENSE_RATE, null, null, null)))
                .isEqualTo(Switches.Outcome.REFUSED);
        // the admin port (local diagnostics) takes the same switches, authenticated
        AdminService admin = new AdminService(edge, ADMIN.substring(7));
        assertThat(admin.handle("Bearer wrong-token-0123456789", "pause", Map.of())
                        .status())
                .isEqualTo(401);
        assertThat(admin.handle(ADMIN, "explode", Map.of()).status()).isEqualTo(404);
        assertThat(admin.handle(ADMIN, "rate", Map.of("perSecond", "lots")).json())
                .contains("perSecond");
        assertThat(admin.handle(ADMIN, "status", Map.of()).json())
                .contains("\"shiftMs\":-10000", "\"paused\":\"false\"");
    }

    @Test
    void restartNeverDispensesAnEnvelopeTwiceAndTheGapIsAtMostOneBlockPerFile() throws IOException {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .shards(2)
                .sponsors(4)
                .perAllocation(50)
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        EdgeSettings s = EdgeSettings.builder(1)
                .reservationBlock(7)
                .dispensePerSecond(1_000_000)
                .build();
        ShardTable table = ShardTable.primaryOnly(1, List.of(0, 1));
        Set<Long> ids = new HashSet<>();
        int user = 0;
        EdgeService first = shakeEdge(c, tmp.resolve("state"), table, s, clock, true);
        for (int i = 0; i < 33; i++) {
            String u = "u" + user++;
            ShakeResult r = shake(first, c, u, null);
            assertThat(r.kind()).isEqualTo(ShakeResult.Kind.ENVELOPE);
            assertThat(ids.add(envelopeId(c, r.token(), u))).isTrue();
        }
        // crash: no shutdown; a new process on the same state directory
        EdgeService second = shakeEdge(c, tmp.resolve("state"), table, s, clock, true);
        while (true) {
            String u = "u" + user++;
            ShakeResult r = shake(second, c, u, null);
            if (r.kind() != ShakeResult.Kind.ENVELOPE) {
                break;
            }
            assertThat(ids.add(envelopeId(c, r.token(), u)))
                    .as("envelope dispensed twice")
                    .isTrue();
        }
        long gap = c.envelopeCount() - ids.size();
        // at most two blocks per file (the reservation in use and the one prefetched), two files
        assertThat(gap).isBetween(1L, 2L * 2 * 7);
    }

    @Test
    void corruptRecordsAreSkippedAndAFileNotMatchingItsManifestIsRefused() throws IOException {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(2)
                .perAllocation(10)
                .sessionRing()
                .build(tmp.resolve("v"));
        c.corrupt("s1", 0, 0);
        c.corrupt("s1", 0, 5);
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        EdgeService strict = shakeEdge(
                c, tmp.resolve("a"), ShardTable.primaryOnly(1, List.of(0)), EdgeSettings.defaults(1), clock, true);
        assertThat(shake(strict, c, "u", null).kind()).isEqualTo(ShakeResult.Kind.NOTHING);
        assertThat(PrometheusText.parse(strict.metricsText()).count("redpacket_edge_files_rejected_total", "edge", "1"))
                .isEqualTo(1);

        EdgeService lenient = shakeEdge(
                c, tmp.resolve("b"), ShardTable.primaryOnly(1, List.of(0)), EdgeSettings.defaults(1), clock, false);
        int got = 0;
        for (int u = 0; u < 40; u++) {
            clock.advance(10);
            if (shake(lenient, c, "u" + u, null).kind() == ShakeResult.Kind.ENVELOPE) {
                got++;
            }
        }
        assertThat(got).isEqualTo(18);
        assertThat(lenient.dispenser().corruptRecords()).isEqualTo(2);
    }

    @Test
    void deadEdgeShardsMoveToTheBackupFromTheNextSlotOnly() throws IOException {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .slots(3)
                .shards(2)
                .sponsors(2)
                .perAllocation(20)
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        String spec = "0:1/2,1:2/1";
        EdgeService edge2 = shakeEdge(
                c,
                tmp.resolve("e2"),
                ShardTable.parse(spec),
                EdgeSettings.builder(2).dispensePerSecond(1_000_000).build(),
                clock,
                true);
        // DECLARE_EDGE_DEAD names the dead edge; without a slot index it applies from the next slot
        assertThat(new Switches(edge2).apply(command(ControlAction.DECLARE_EDGE_DEAD, null, 1, null)))
                .isEqualTo(Switches.Outcome.APPLIED);
        assertThat(edge2.dispenser().table().deadEdges()).containsEntry(1, 1);
        List<String> files = drain(c, edge2, "a");
        assertThat(files).isNotEmpty().allMatch(f -> f.equals(CampaignLayout.envelopeFile("s1", 1)));
        clock.set(GeneratedCampaign.T0 + GeneratedCampaign.SLOT_MS + 1000);
        files = drain(c, edge2, "b");
        assertThat(new HashSet<>(files))
                .containsExactlyInAnyOrder(CampaignLayout.envelopeFile("s2", 0), CampaignLayout.envelopeFile("s2", 1));
        assertThat(files).hasSize(40);
        // edge 1, told the same (explicit slot index 1), dispenses nothing from the next slot on
        EdgeService edge1 =
                shakeEdge(c, tmp.resolve("e1"), ShardTable.parse(spec), EdgeSettings.defaults(1), clock, true);
        new Switches(edge1).apply(command(ControlAction.DECLARE_EDGE_DEAD, null, 1, 1L));
        assertThat(shake(edge1, c, "z", null).kind()).isEqualTo(ShakeResult.Kind.NOTHING);
    }

    private static List<String> drain(GeneratedCampaign c, EdgeService edge, String prefix) {
        List<String> files = new ArrayList<>();
        for (int u = 0; u < 1000; u++) {
            ShakeResult r = shake(edge, c, prefix + u, null);
            if (r.kind() != ShakeResult.Kind.ENVELOPE) {
                break;
            }
            files.add(c.fileOf(envelopeId(c, r.token(), prefix + u)));
        }
        return files;
    }

    @Test
    void shakesAreShedBeforeOpensAndTheAnswerSaysSlowDown() throws IOException {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(2)
                .perAllocation(10)
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        EdgeService edge = shakeEdge(
                c,
                tmp.resolve("s"),
                ShardTable.primaryOnly(1, List.of(0)),
                EdgeSettings.builder(1).maxInFlightOpens(5).shedShakesAbove(0).build(),
                clock,
                true);
        ShakeResult r = shake(edge, c, "u", null);
        assertThat(r.httpStatus()).isEqualTo(503);
        assertThat(r.toJson()).contains("\"result\":\"slow_down\"", "overloaded");
        assertThat(PrometheusText.parse(edge.metricsText())
                        .count("redpacket_edge_slow_downs_total", "edge", "1", "cause", "shed_shake"))
                .isEqualTo(1);
    }
}
