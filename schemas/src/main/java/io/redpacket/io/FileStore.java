package io.redpacket.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.List;

/**
 * The file system a stage reads and writes campaign data through: local disk, HDFS, an object store. Every
 * location is an absolute URI (see {@link Locations}); each engine supplies its own implementation (the
 * Spark jobs and tools {@link HadoopFileStore}, settlement Flink's file system, the edge {@link LocalFileStore}),
 * so the cluster's own file system configuration is the one used.
 *
 * <p>Errors name the location: a missing file is a {@link java.nio.file.NoSuchFileException} whose file is
 * the URI, so command lines report it as bad input (exit 2).
 */
public interface FileStore {
    /** A file found by {@link #listFiles}: where it is and how many bytes it has. */
    record Entry(URI uri, long sizeBytes) {}

    /** Opens a file for reading. */
    InputStream open(URI file) throws IOException;

    /**
     * Creates a file, replacing any file of that name, and its parent directories. On an object store the
     * object appears whole when the stream is closed, never partly.
     */
    OutputStream create(URI file) throws IOException;

    boolean exists(URI location) throws IOException;

    boolean isDirectory(URI location) throws IOException;

    /** Size of a file in bytes. */
    long size(URI file) throws IOException;

    /** Every file below {@code dir}, at any depth, sorted by URI; a missing directory is a NoSuchFileException. */
    List<Entry> listFiles(URI dir) throws IOException;

    void mkdirs(URI dir) throws IOException;

    /**
     * Renames a file or directory to a location that must not exist yet. Atomic only where
     * {@link #renamesAtomically} says so; on an object store it is a copy and a delete.
     */
    void rename(URI from, URI to) throws IOException;

    /** Deletes a file or a directory with everything below it; nothing if it does not exist. */
    void deleteRecursively(URI location) throws IOException;

    /**
     * True where renaming a directory at {@code location} publishes all of it at once (local disk, HDFS);
     * false on object stores (S3), where a reader can see part of a renamed directory, so publishing needs a
     * marker written last.
     */
    boolean renamesAtomically(URI location);

    /** The whole file, for small files (Avro metadata, key stores, password files). */
    default byte[] readAllBytes(URI file) throws IOException {
        try (InputStream in = open(file)) {
            return in.readAllBytes();
        }
    }

    /** Writes a small file so that a reader sees the old content or the new one, never a part. */
    default void writeAtomically(URI target, Writer writer) throws IOException {
        if (!renamesAtomically(target)) {
            // An object store's PUT is itself all-or-nothing: write in place.
            writeAndClose(create(target), writer);
            return;
        }
        URI tmp = Locations.sibling(
                target, "." + Locations.fileName(target) + ".tmp-" + Long.toHexString(System.nanoTime()));
        try {
            writeAndClose(create(tmp), writer);
            if (exists(target)) {
                deleteRecursively(target);
            }
            rename(tmp, target);
        } finally {
            deleteRecursively(tmp);
        }
    }

    /**
     * Writes and closes, reporting the first error. Not try-with-resources: an HDFS stream that failed rethrows the
     * same exception from close(), and adding an exception to itself as suppressed replaces it with
     * "Self-suppression not permitted", hiding the reason (a quota, a lost DataNode) from the user.
     */
    private static void writeAndClose(OutputStream out, Writer writer) throws IOException {
        try {
            writer.write(out);
        } catch (IOException | RuntimeException e) {
            try {
                out.close();
            } catch (IOException | RuntimeException c) {
                if (c != e) {
                    e.addSuppressed(c);
                }
            }
            throw e;
        }
        out.close();
    }

    @FunctionalInterface
    interface Writer {
        void write(OutputStream out) throws IOException;
    }
}
