package io.redpacket.settlement.functions;

import io.redpacket.avro.BatchConfig;
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
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Stateless verification of every open: the shared local checks ({@link OpenVerifier}: token, user binding,
 * expiry, checksum, key whitelist and live blacklist, ticket, batch, amount, id range), then the record the
 * token carries is compared byte for byte with the one generation wrote ({@link RecordIndex}), which catches
 * envelopes sealed with a leaked key or by an insider. Input may contain anything, including undecodable
 * events (already turned into empty ones by the source); every open leaves as a VerifiedOpen or a reject.
 *
 * <p>A one-input function, so it runs chained to the Kafka source, in the same thread, without serializing the
 * open between them. The key blacklist, which changes while running, is applied by the next step
 * ({@link DedupeEnvelopes}, with the control topic as broadcast state); here no key is blocked.
 */
public class VerifyOpens extends ProcessFunction<OpenEvent, VerifiedOpen> {
    private static final Base64.Decoder TOKEN_DECODER = Base64.getUrlDecoder();

    private final Settings settings;
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
        verifier = new OpenVerifier(ring, KeyBlacklist.of(), batches, settings.maxTokenAgeMs());
        records = RecordIndex.openOrBuild(variant, Path.of(settings.indexDir()), ring);
        finalFailures = getRuntimeContext().getMetricGroup().counter("final_failures");
    }

    @Override
    public void processElement(OpenEvent e, Context ctx, Collector<VerifiedOpen> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
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
}
