package io.redpacket.io;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Paths as users give them, turned into absolute URIs once, at the edge of every command: {@code hdfs://nn/x},
 * {@code s3a://bucket/x} and {@code file:///x} are kept as they are; a bare path ({@code out/v1}, {@code /data/x})
 * is a local path made absolute. Which schemes work is the engine's business (its file system
 * configuration): a scheme it does not know is refused by its {@link FileStore} factory, never taken as a
 * relative path. URIs here never end with {@code /} (except a file system's root).
 */
public final class Locations {
    /** {@code scheme:} as RFC 3986 spells it; a one-letter scheme would be a Windows drive, not supported. */
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*");

    private Locations() {}

    /**
     * The URI a user meant by {@code text}.
     *
     * @throws IllegalArgumentException with a message that names nothing but the value's problem (callers add
     *         the option or field)
     */
    public static URI parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty location");
        }
        String t = text.strip();
        if (!SCHEME.matcher(t).matches()) {
            try {
                return normalize(Path.of(t).toAbsolutePath().normalize().toUri());
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("'" + text + "' is not a valid local path: " + e.getReason());
            }
        }
        URI uri;
        try {
            uri = new URI(t);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a valid URI: " + e.getReason() + " at index " + e.getIndex());
        }
        if (uri.isOpaque()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a hierarchical URI (expected scheme://authority/path or a local path)");
        }
        if (uri.getScheme().equalsIgnoreCase("file")) {
            if (uri.getAuthority() != null
                    && !uri.getAuthority().isEmpty()
                    && !uri.getAuthority().equals("localhost")) {
                throw new IllegalArgumentException("'" + text + "': a file URI names no host (file:///path)");
            }
            return normalize(Path.of(uri.getPath()).normalize().toUri());
        }
        if (uri.getAuthority() == null || uri.getAuthority().isEmpty()) {
            throw new IllegalArgumentException(
                    "'" + text + "' names no " + (uri.getScheme().toLowerCase().startsWith("s3") ? "bucket" : "host")
                            + " (expected " + uri.getScheme() + "://"
                            + (uri.getScheme().toLowerCase().startsWith("s3") ? "bucket" : "namenode:port") + "/path)");
        }
        return normalize(uri.normalize());
    }

    /** {@code dir/relative}; {@code relative} uses '/' and must not climb out of {@code dir}. */
    public static URI child(URI dir, String relative) {
        if (relative.startsWith("/")
                || relative.equals("..")
                || relative.startsWith("../")
                || relative.contains("/../")) {
            throw new IllegalArgumentException("'" + relative + "' is not a relative path below " + dir);
        }
        String base = canonical(dir).toString();
        return URI.create(base.endsWith("/") ? base + encodePath(relative) : base + "/" + encodePath(relative));
    }

    /** A file next to {@code location}, in the same directory. */
    public static URI sibling(URI location, String name) {
        return child(parent(location), name);
    }

    public static URI parent(URI location) {
        String path = canonical(location).getRawPath();
        int slash = path.lastIndexOf('/');
        return withRawPath(location, slash <= 0 ? "/" : path.substring(0, slash));
    }

    /** The last segment of the path ({@code shard-00001.env}). */
    public static String fileName(URI location) {
        String path = location.getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The path of {@code location} below {@code dir}, '/'-separated; fails if it is not below it. */
    public static String relativize(URI dir, URI location) {
        String c = canonical(dir).toString();
        String d = c.endsWith("/") ? c : c + "/";
        String l = canonical(location).toString();
        if (!l.startsWith(d)) {
            throw new IllegalArgumentException(location + " is not below " + dir);
        }
        return URI.create(l.substring(d.length())).getPath();
    }

    public static boolean isLocal(URI location) {
        return "file".equalsIgnoreCase(location.getScheme());
    }

    /** The local path of a {@code file:} URI. */
    public static Path localPath(URI location) {
        if (!isLocal(location)) {
            throw new IllegalArgumentException(location + " is not a local path");
        }
        return Path.of(location);
    }

    /** For displaying a location to a user: a local path without {@code file:}, anything else as the URI. */
    public static String display(URI location) {
        return isLocal(location) ? localPath(location).toString() : location.toString();
    }

    /**
     * The one spelling of a location, so that two URIs of the same place compare equal as strings: local files
     * as {@code file:///path}, no trailing {@code /}. Stores pass what their file system returns through it.
     */
    public static URI canonical(URI uri) {
        return normalize(uri);
    }

    private static URI normalize(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return withRawPath(uri, path);
    }

    /** Same scheme and authority, another (already encoded) path; local files always as file:///path. */
    private static URI withRawPath(URI uri, String rawPath) {
        if ("file".equalsIgnoreCase(uri.getScheme())) {
            return URI.create("file://" + rawPath);
        }
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + rawPath);
    }

    private static String encodePath(String relative) {
        try {
            return new URI(null, null, relative, null).getRawPath();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + relative + "': " + e.getMessage(), e);
        }
    }

    /** Picocli converter for path options: a bad value is a usage error naming the option (exit 2). */
    public static final class Converter implements CommandLine.ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
