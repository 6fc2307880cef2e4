package io.redpacket.dashboard;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.cli.BadInputException;
import io.redpacket.io.AvroFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A file of review decisions (the fraud notebooks' {@code analysis/review_decisions.avro}: ControlCommand records)
 * as the commands to publish: each checked as the dashboard's review switch of the same kind is (one account, a
 * review action), and signed with the operator who publishes them. One bad record refuses the whole file, so a
 * review is never half applied.
 */
final class ReviewDecisions {
    /** Longest command id kept from the file (the notebooks write {@code review:<account>:<action>}). */
    static final int MAX_COMMAND_ID = 200;

    private ReviewDecisions() {}

    static List<ControlCommand> read(Path file, String operator) throws IOException, BadInputException {
        List<ControlCommand> records;
        try {
            records = AvroFiles.readAll(file, ControlCommand.class);
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(file + ": not an Avro file of ControlCommand records: " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        List<ControlCommand> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            ControlCommand c = records.get(i);
            String where = file + ": record " + (i + 1) + ": ";
            SwitchRequest.Action action = SwitchRequest.Action.reviewOf(c.getAction());
            if (action == null) {
                problems.add(where + "action: " + c.getAction()
                        + " is not a review decision (HOLD_ACCOUNT, RELEASE_ACCOUNT, CONFIRM_FRAUD)");
                continue;
            }
            String id = c.getCommandId();
            if (id.isBlank() || id.length() > MAX_COMMAND_ID) {
                problems.add(where + "commandId: blank or longer than " + MAX_COMMAND_ID + " characters");
                continue;
            }
            Map<String, String> params = new HashMap<>();
            params.put("userId", c.getUserId());
            try {
                out.add(Switchboard.command(id, operator, SwitchRequest.parse(action.path, params, Set.of())));
            } catch (IllegalArgumentException e) {
                problems.add(where + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new BadInputException(problems);
        }
        return out;
    }

    /** What a publication did: the decisions published by action, and the first failure (null when all went out). */
    record Outcome(Map<ControlAction, Integer> published, String failure) {}

    /**
     * Publishes in order, each acknowledged by the broker before the next, each written to the audit log; stops at the
     * first the broker does not take (what went out before it stays published and audited).
     */
    static Outcome publish(
            List<ControlCommand> commands, Switchboard.ControlSink control, AuditLog audit, String source)
            throws IOException {
        Map<ControlAction, Integer> published = new TreeMap<>();
        for (ControlCommand c : commands) {
            Switchboard.Published p = control.publish(c);
            var entry = Switchboard.entry(
                    c.getCommandId(),
                    c.getOperator(),
                    source,
                    SwitchRequest.Action.reviewOf(c.getAction()).path,
                    Map.of("userId", c.getUserId()));
            entry.put("outcome", p.ok() ? "published" : "failed");
            if (p.ok()) {
                entry.put("offset", p.offset());
            }
            audit.append(entry);
            if (!p.ok()) {
                return new Outcome(published, c.getCommandId() + ": " + p.detail());
            }
            published.merge(c.getAction(), 1, Integer::sum);
        }
        return new Outcome(published, null);
    }
}
