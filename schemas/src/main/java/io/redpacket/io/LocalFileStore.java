package io.redpacket.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Local disk ({@code file:} URIs only), through java.nio: the edge, the tools and tests without an engine. */
public final class LocalFileStore implements FileStore {
    public static final LocalFileStore INSTANCE = new LocalFileStore();

    private LocalFileStore() {}

    @Override
    public InputStream open(URI file) throws IOException {
        Path p = path(file);
        if (Files.isDirectory(p)) {
            throw new NoSuchFileException(Locations.display(file), null, "is a directory, not a file");
        }
        return Files.newInputStream(p);
    }

    @Override
    public OutputStream create(URI file) throws IOException {
        Path p = path(file);
        if (p.getParent() != null) {
            Files.createDirectories(p.getParent());
        }
        return Files.newOutputStream(p);
    }

    @Override
    public boolean exists(URI location) {
        return Files.exists(path(location));
    }

    @Override
    public boolean isDirectory(URI location) {
        return Files.isDirectory(path(location));
    }

    @Override
    public long size(URI file) throws IOException {
        return Files.size(path(file));
    }

    @Override
    public List<Entry> listFiles(URI dir) throws IOException {
        Path root = path(dir);
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(Locations.display(dir), null, "directory does not exist");
        }
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                out.add(new Entry(Locations.canonical(p.toUri()), Files.size(p)));
            }
        }
        out.sort(Comparator.comparing(e -> e.uri().toString()));
        return out;
    }

    @Override
    public void mkdirs(URI dir) throws IOException {
        Files.createDirectories(path(dir));
    }

    @Override
    public void rename(URI from, URI to) throws IOException {
        Path target = path(to);
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(Locations.display(to));
        }
        if (target.getParent() != null) {
            Files.createDirectories(target.getParent());
        }
        AtomicFiles.rename(path(from), target);
    }

    @Override
    public void deleteRecursively(URI location) throws IOException {
        Path p = path(location);
        if (Files.isDirectory(p)) {
            AtomicFiles.deleteTree(p);
        } else {
            Files.deleteIfExists(p);
        }
    }

    @Override
    public boolean renamesAtomically(URI location) {
        return true;
    }

    private static Path path(URI location) {
        return Locations.localPath(location);
    }
}
