package io.redpacket.settlement.functions;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectReason;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.keys.KeyStorePassword;
import io.redpacket.open.BatchCatalog;
import io.redpacket.open.OpenVerdict;
import io.redpacket.open.OpenVerifier;
import io.redpacket.settlement.Settings;
import io.redpacket.settlement.VerifiedOpen;
import io.redpacket.settlement.index.RecordIndex;
import io.redpacket.token.TokenLayout;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Stateless verification of every open: the shared local checks ({@link OpenVerifier}: token, user binding,
 * expiry, checksum, key whitelist and live blacklist, ticket, batch, amount, id range), then the record the
 * token carries is compared byte for byte with the one generation wrote ({@link RecordIndex}), which catches
 * envelopes sealed with a leaked key or by an insider. Input may contain anything, including undecodable
 * events (already turned into empty ones by the source); every open leaves as a VerifiedOpen or a reject.
 * The blacklist is broadcast state from the control topic, mirrored into a lock-free {@link KeyBlacklist}.
 */
public class VerifyOpens extends BroadcastProcessFunction<OpenEvent, ControlCommand, VerifiedOpen> {
    private static final Base64.Decoder TOKEN_DECODER = Base64.getUrlDecoder();

    private final Settings settings;
    private transient KeyBlacklist blacklist;
    private transient boolean blacklistRestored;
    private transient OpenVerifier verifier;
    private transient RecordIndex records;
    private transient Counter finalFailures;

    public VerifyOpens(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        Path variant = Path.of(settings.variantDir());
        char[] password = KeyStorePassword.resolve(settings.passwordFile() == null ? null : Path.of(settings.passwordFile()), System.getenv());
        KeyRing ring = KeyRingStore.load(CampaignLayout.openRing(variant), password);
        java.util.Arrays.fill(password, '\0');
        BatchCatalog batches = BatchCatalog.of(AvroFiles.readAll(variant.resolve(CampaignLayout.BATCHES), BatchConfig.class));
        blacklist = KeyBlacklist.of(settings.initialBlacklist());
        verifier = new OpenVerifier(ring, blacklist, batches, settings.maxTokenAgeMs());
        records = RecordIndex.openOrBuild(variant, Path.of(settings.indexDir()), ring);
        finalFailures = getRuntimeContext().getMetricGroup().counter("final_failures");
    }

    @Override
    public void processElement(OpenEvent e, ReadOnlyContext ctx, Collector<VerifiedOpen> out) throws Exception {
        if (!blacklistRestored) {
            // Broadcast state is only readable here, not in open(): mirror what a restore brought back.
            for (Map.Entry<Integer, Boolean> k : ctx.getBroadcastState(ControlState.BLACKLIST).immutableEntries()) {
                blacklist.block(k.getKey());
            }
            blacklistRestored = true;
        }
        long now = ctx.currentProcessingTime();
        if (e.getToken().isEmpty()) {
            finalFailures.inc();
            ctx.output(Outputs.REJECTS, VerifiedOpen.reject(e, RejectReason.MALFORMED_TOKEN,
                    Outputs.FINAL_FAILURE + "undecodable open event " + e.getEventId(), null, now));
            return;
        }
        OpenVerdict v = verifier.verify(e.getToken(), e.getUserId(), e.getOpenTimeMs());
        if (!v.isValid()) {
            ctx.output(Outputs.REJECTS, VerifiedOpen.reject(e, v.reason(), "local verification", v.ticket(), now));
            return;
        }
        byte[] token = TOKEN_DECODER.decode(e.getToken());
        RejectReason pregenerated = records.check(v.ticket().envelopeId(), token, TokenLayout.OFF_RECORD);
        if (pregenerated != null) {
            String detail = pregenerated == RejectReason.NOT_PREGENERATED
                    ? "generation wrote no envelope " + v.ticket().envelopeId()
                    : "record differs from the one generation wrote for envelope " + v.ticket().envelopeId();
            ctx.output(Outputs.REJECTS, VerifiedOpen.reject(e, pregenerated, detail, v.ticket(), now));
            return;
        }
        out.collect(VerifiedOpen.of(e, v.ticket(), v.batch()));
    }

    @Override
    public void processBroadcastElement(ControlCommand c, Context ctx, Collector<VerifiedOpen> out) throws Exception {
        BroadcastState<Integer, Boolean> state = ctx.getBroadcastState(ControlState.BLACKLIST);
        if (c.getKeyId() == null) {
            return;
        }
        switch (c.getAction()) {
            case BLACKLIST_KEY -> {
                state.put(c.getKeyId(), Boolean.TRUE);
                blacklist.block(c.getKeyId());
            }
            case UNBLACKLIST_KEY -> {
                state.remove(c.getKeyId());
                blacklist.unblock(c.getKeyId());
            }
            default -> {
                // other commands are for the edges or the rate shaper
            }
        }
    }
}
