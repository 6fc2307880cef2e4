package io.redpacket.settlement.rules;

import io.redpacket.keys.KeyBlacklist;

/**
 * Whether a ticket key is blacklisted: the operators' latest word on the key (BLACKLIST_KEY = true,
 * UNBLACKLIST_KEY = false, from the control topic), else whether the job was started with it in
 * {@code --blacklist}. So an operator can also lift a key the command line blocked, and that survives restores.
 */
public final class BlacklistRule {
    private BlacklistRule() {}

    public static boolean isBlocked(int keyId, Boolean operatorDecision, KeyBlacklist initiallyBlocked) {
        return operatorDecision != null ? operatorDecision : initiallyBlocked.isBlocked(keyId);
    }
}
