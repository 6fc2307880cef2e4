package io.redpacket.cli;

import java.util.List;

/** Input a user can fix: each problem located as {@code file:line: field: message}. Exit code 2. */
public class BadInputException extends Exception {
    private final List<String> problems;

    public BadInputException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        this.problems = List.copyOf(problems);
    }

    public BadInputException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
