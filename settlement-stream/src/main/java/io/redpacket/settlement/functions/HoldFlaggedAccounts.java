package io.redpacket.settlement.functions;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.LiveFlag;
import io.redpacket.settlement.rules.AccountReview;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Turns a live flag into one HOLD_ACCOUNT per account it names for the first time, as if an operator had held them:
 * the caps step then keeps those accounts' credits for review. The flag's other accounts were held by the flag that
 * named them first (every account a flag lists is in exactly one flag's {@code newAccounts} while its device remembers
 * it), so each hold is broadcast to every caps instance once. The command id is the flag id and the account, stable
 * across a replay; a hold of an account already held changes nothing.
 */
public class HoldFlaggedAccounts implements FlatMapFunction<LiveFlag, ControlCommand> {
    @Override
    public void flatMap(LiveFlag f, Collector<ControlCommand> out) {
        for (String account : f.getNewAccounts()) {
            out.collect(ControlCommand.newBuilder()
                    .setCommandId(f.getFlagId() + ":" + account)
                    .setIssuedAtMs(f.getLastSeenMs())
                    .setOperator(AccountReview.LIVE_FLAG_OPERATOR)
                    .setAction(ControlAction.HOLD_ACCOUNT)
                    .setUserId(account)
                    .build());
        }
    }
}
