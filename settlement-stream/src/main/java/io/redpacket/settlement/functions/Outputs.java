package io.redpacket.settlement.functions;

import io.redpacket.avro.RejectedOpen;
import io.redpacket.settlement.records.BacklogReport;
import io.redpacket.settlement.records.SpecificRecordSerializer;
import io.redpacket.settlement.records.VerifiedOpen;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** Side outputs shared by the settlement operators. */
public final class Outputs {
    private Outputs() {}

    public static final OutputTag<RejectedOpen> REJECTS =
            new OutputTag<>("rejects", SpecificRecordSerializer.typeOf(RejectedOpen.class));
    /** Opens within the caps whose channel has a credit limit: they go to the rate shaper. */
    public static final OutputTag<VerifiedOpen> TO_SHAPE =
            new OutputTag<>("to-shape", TypeInformation.of(VerifiedOpen.class));

    public static final OutputTag<BacklogReport> BACKLOG =
            new OutputTag<>("backlog", TypeInformation.of(BacklogReport.class));
    /** Identical redeliveries of the open event that claimed an envelope: counted, never answered again. */
    public static final OutputTag<VerifiedOpen> REDELIVERED =
            new OutputTag<>("redelivered", TypeInformation.of(VerifiedOpen.class));
    /** Opens within the caps of an account held for review: kept, not credited, until a reviewer decides. */
    public static final OutputTag<VerifiedOpen> HELD = new OutputTag<>("held", TypeInformation.of(VerifiedOpen.class));
    /** Held opens a reviewer decided on: credited (released) or refused (confirmed fraud). */
    public static final OutputTag<VerifiedOpen> UNHELD =
            new OutputTag<>("unheld", TypeInformation.of(VerifiedOpen.class));

    /** Detail prefix of a reject that is a system failure, not a logical one: counted as final_failures. */
    public static final String FINAL_FAILURE = "final failure: ";
}
