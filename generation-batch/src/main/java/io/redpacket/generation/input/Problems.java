package io.redpacket.generation.input;

import io.redpacket.cli.BadInputException;
import java.util.ArrayList;
import java.util.List;

/** Every problem found in the inputs, each as {@code file:line: field: message}, so a user fixes them all in one go. */
public final class Problems {
    private final List<String> list = new ArrayList<>();

    public void add(String file, int line, String field, String message) {
        list.add(file + ":" + line + ": " + field + ": " + message);
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public List<String> list() {
        return List.copyOf(list);
    }

    /** Throws the exit-code-2 exception listing every problem, if there is any. */
    public void throwIfAny() throws BadInputException {
        if (!list.isEmpty()) {
            throw new BadInputException(list);
        }
    }
}
