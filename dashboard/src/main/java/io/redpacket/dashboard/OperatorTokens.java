package io.redpacket.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who may pull a switch. Each operator has a bearer token of at least 16 characters; the token names the
 * operator, so the name in the audit log and the control command is authenticated, not typed in. Source text:
 * one {@code name:token} per line (a line with no colon is the token of operator {@code operator}); blank
 * lines and {@code #} comments are ignored. Checking compares SHA-256 digests with {@link MessageDigest#isEqual}
 * against every entry, so the time taken says nothing about the token or which entry matched.
 */
public final class OperatorTokens {
    public static final int MIN_TOKEN_CHARS = 16;
    private static final String BEARER = "Bearer ";

    private record Entry(String operator, byte[] digest) {}

    private final List<Entry> entries;

    private OperatorTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * @param where  names the source in error messages (a file name or an environment variable)
     * @throws IllegalArgumentException naming the line
     */
    public static OperatorTokens parse(String text, String where) {
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        String[] lines = text.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String name = colon < 0 ? "operator" : line.substring(0, colon).trim();
            String token = colon < 0 ? line : line.substring(colon + 1).trim();
            String at = where + ":" + (i + 1) + ": ";
            if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException(
                        at + "operator name: letters, digits, '.', '_' or '-', 1 to 64 characters");
            }
            if (token.length() < MIN_TOKEN_CHARS) {
                throw new IllegalArgumentException(
                        at + "token of '" + name + "': at least " + MIN_TOKEN_CHARS + " characters");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException(at + "operator '" + name + "' listed twice");
            }
            entries.add(new Entry(name, sha256(token)));
        }
        return new OperatorTokens(entries);
    }

    public static OperatorTokens none() {
        return new OperatorTokens(List.of());
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }

    /** The operator the {@code Authorization: Bearer <token>} header belongs to, or null. */
    public String operatorOf(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.startsWith(BEARER)) {
            return null;
        }
        byte[] presented = sha256(authorizationHeader.substring(BEARER.length()).trim());
        String found = null;
        for (Entry e : entries) {
            // Every entry is compared: no early exit.
            if (MessageDigest.isEqual(e.digest(), presented)) {
                found = e.operator();
            }
        }
        return found;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
