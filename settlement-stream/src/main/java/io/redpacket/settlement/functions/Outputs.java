package io.redpacket.settlement.functions;

import io.redpacket.avro.RejectedOpen;
import io.redpacket.settlement.BacklogReport;
import io.redpacket.settlement.VerifiedOpen;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** Side outputs shared by the settlement operators. */
public final class Outputs {
    private Outputs() {}

    public static final OutputTag<RejectedOpen> REJECTS = new OutputTag<>("rejects", TypeInformation.of(RejectedOpen.class));
    /** Opens within the caps whose channel has a credit limit: they go to the rate shaper. */
    public static final OutputTag<VerifiedOpen> TO_SHAPE = new OutputTag<>("to-shape", TypeInformation.of(VerifiedOpen.class));
    public static final OutputTag<BacklogReport> BACKLOG = new OutputTag<>("backlog", TypeInformation.of(BacklogReport.class));

    /** Detail prefix of a reject that is a system failure, not a logical one: counted as final_failures. */
    public static final String FINAL_FAILURE = "final failure: ";
}
