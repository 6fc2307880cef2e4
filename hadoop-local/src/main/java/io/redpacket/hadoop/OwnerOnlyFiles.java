package io.redpacket.hadoop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Files that hold secrets: readable and writable by their owner only, from the moment they exist. */
public final class OwnerOnlyFiles {
    private OwnerOnlyFiles() {}

    /** Creates (or replaces) {@code file} with mode {@code rw-------}, then writes {@code content} to it. */
    public static Path write(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        return file;
    }
}
