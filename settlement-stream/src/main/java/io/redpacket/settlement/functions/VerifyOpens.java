package io.redpacket.settlement.functions;

import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectReason;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.open.BatchCatalog;
import io.redpacket.open.OpenVerdict;
import io.redpacket.open.OpenVerifier;
import io.redpacket.settlement.Campaign;
import io.redpacket.settlement.Settings;
import io.redpacket.settlement.records.VerifiedOpen;
import io.redpacket.token.TokenLayout;
import java.net.URI;
import java.util.Arrays;
import java.util.Base64;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Stateless verification of every open: the shared local checks ({@link OpenVerifier}: token, user binding,
 * expiry, checksum, key whitelist, ticket, batch, amount, id range). Input may contain anything, including
 * undecodable events (already turned into empty ones by the source); every open leaves as a VerifiedOpen,
 * carrying the record its token held, or a reject.
 *
 * <p>A one-input function, so it runs chained to the Kafka source, in the same thread, without serializing the
 * open between them. Whether the record is the one generation wrote, the live key blacklist and whether the
 * envelope was claimed already are the next step's ({@link ClaimEnvelopes}, keyed by envelope block), which
 * holds the records.
 */
public class VerifyOpens extends ProcessFunction<OpenEvent, VerifiedOpen> {
    private static final Base64.Decoder TOKEN_DECODER = Base64.getUrlDecoder();

    private final Settings settings;
    private transient OpenVerifier verifier;
    private transient Counter finalFailures;

    public VerifyOpens(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        Campaign campaign = Campaign.open(URI.create(settings.variantDir()));
        verifier = new OpenVerifier(
                Campaign.openRing(settings),
                KeyBlacklist.of(),
                BatchCatalog.of(campaign.variant().batches()),
                settings.maxTokenAgeMs());
        finalFailures = getRuntimeContext().getMetricGroup().counter("final_failures");
    }

    @Override
    public void processElement(OpenEvent e, Context ctx, Collector<VerifiedOpen> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (e.getToken().isEmpty()) {
            finalFailures.inc();
            ctx.output(
                    Outputs.REJECTS,
                    VerifiedOpen.reject(
                            e,
                            RejectReason.MALFORMED_TOKEN,
                            Outputs.FINAL_FAILURE + "undecodable open event " + e.getEventId(),
                            null,
                            now));
            return;
        }
        OpenVerdict v = verifier.verify(e.getToken(), e.getUserId(), e.getOpenTimeMs());
        if (!v.isValid()) {
            ctx.output(Outputs.REJECTS, VerifiedOpen.reject(e, v.reason(), "local verification", v.ticket(), now));
            return;
        }
        byte[] token = TOKEN_DECODER.decode(e.getToken());
        byte[] record =
                Arrays.copyOfRange(token, TokenLayout.OFF_RECORD, TokenLayout.OFF_RECORD + EnvelopeLayout.RECORD_BYTES);
        out.collect(VerifiedOpen.of(e, v.ticket(), v.batch(), record));
    }
}
