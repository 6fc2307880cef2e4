package io.redpacket.io;

import java.nio.file.Path;

/**
 * Where each stage writes and reads, relative to a root directory it is given. One place, so generation,
 * the edge, settlement and reconciliation never disagree on a path.
 *
 * <pre>
 * generation output, one directory per variant: &lt;out&gt;/&lt;variant&gt;/
 *   budget.avro           BudgetLine records, as validated
 *   plan.avro             the FundingPlan of this variant
 *   batches.avro          BatchConfig records (batch id -&gt; payment order, sponsor, account, slot, type)
 *   manifests.avro        FileManifest records, one per envelope file
 *   envelopes/slot=&lt;slotId&gt;/shard-&lt;NNNNN&gt;.env   26-byte records back to back, no header
 *   keys/open-ring.p12    open side: the ticket keys this variant used + the token key
 *   keys/token-ring.p12   shake side: the token key only
 *   report.txt            human-readable generation report
 *   _COMMITTED            VariantCommit, written last: every file above with its size and checksum. Readers
 *                         refuse a variant without it (GeneratedVariant).
 *
 * settlement output: &lt;out&gt;/{opens,credits,rejects}/hour=yyyy-MM-dd-HH/*.parquet
 * </pre>
 */
public final class CampaignLayout {
    private CampaignLayout() {}

    public static final String BUDGET = "budget.avro";
    public static final String PLAN = "plan.avro";
    public static final String BATCHES = "batches.avro";
    public static final String MANIFESTS = "manifests.avro";
    public static final String ENVELOPES_DIR = "envelopes";
    public static final String KEYS_DIR = "keys";
    public static final String OPEN_RING = "open-ring.p12";
    public static final String TOKEN_RING = "token-ring.p12";
    public static final String REPORT = "report.txt";
    public static final String COMMIT = "_COMMITTED";
    public static final String ENVELOPE_FILE_SUFFIX = ".env";

    public static final String OPEN_LOG = "opens";
    public static final String CREDIT_LOG = "credits";
    public static final String REJECT_LOG = "rejects";
    /** Settlement's live fraud flags (LiveFlag), for analysts to confirm or release. */
    public static final String FLAG_LOG = "flags";

    /** Relative path of one envelope file inside a variant directory. */
    public static String envelopeFile(String slotId, int shard) {
        return ENVELOPES_DIR + "/slot=" + slotId + "/shard-" + String.format("%05d", shard) + ENVELOPE_FILE_SUFFIX;
    }

    public static Path variantDir(Path out, String variant) {
        return out.resolve(variant);
    }

    public static Path openRing(Path variantDir) {
        return variantDir.resolve(KEYS_DIR).resolve(OPEN_RING);
    }

    public static Path tokenRing(Path variantDir) {
        return variantDir.resolve(KEYS_DIR).resolve(TOKEN_RING);
    }
}
