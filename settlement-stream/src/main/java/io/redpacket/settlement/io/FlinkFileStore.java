package io.redpacket.settlement.io;

import io.redpacket.io.FileStore;
import io.redpacket.io.Locations;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.UnsupportedFileSystemSchemeException;

/**
 * The project's {@link FileStore} over Flink's own file systems: whatever the cluster is configured for
 * ({@code hdfs://} with Hadoop on its class path, {@code s3a://}/{@code s3://} with an S3 plugin, {@code file:}),
 * with the cluster's configuration. Settlement reads the generated variant and the password file through it, on
 * the client and in the tasks, so nothing needs a local path anywhere.
 */
public final class FlinkFileStore implements FileStore {
    public static final FlinkFileStore INSTANCE = new FlinkFileStore();

    /** Schemes of object stores, where a rename is a copy and a delete (Flink's S3, GCS, OSS and Azure file systems). */
    private static final Set<String> OBJECT_STORES =
            Set.of("s3", "s3a", "s3n", "s3p", "gs", "oss", "abfs", "abfss", "wasb", "wasbs");

    private FlinkFileStore() {}

    /**
     * Checks that Flink has a file system for the scheme of {@code location}, so an option with a scheme the
     * cluster cannot read is refused up front instead of failing a task later.
     *
     * @throws IllegalArgumentException naming the scheme
     */
    public static void requireSupported(URI location) {
        try {
            FileSystem.get(location);
        } catch (UnsupportedFileSystemSchemeException e) {
            throw new IllegalArgumentException(location + ": no Flink file system for scheme '" + location.getScheme()
                    + "' here (hdfs:// needs Hadoop on Flink's class path, s3a:// an S3 plugin; or file:// and local paths): "
                    + e.getMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException(location + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream open(URI file) throws IOException {
        Path p = new Path(file);
        FileSystem fs = p.getFileSystem();
        try {
            if (fs.getFileStatus(p).isDir()) {
                throw new NoSuchFileException(Locations.display(file), null, "is a directory, not a file");
            }
            return fs.open(p);
        } catch (FileNotFoundException e) {
            throw missing(file, e);
        }
    }

    @Override
    public OutputStream create(URI file) throws IOException {
        Path p = new Path(file);
        FileSystem fs = p.getFileSystem();
        if (p.getParent() != null) {
            fs.mkdirs(p.getParent());
        }
        return fs.create(p, FileSystem.WriteMode.OVERWRITE);
    }

    @Override
    public boolean exists(URI location) throws IOException {
        Path p = new Path(location);
        return p.getFileSystem().exists(p);
    }

    @Override
    public boolean isDirectory(URI location) throws IOException {
        Path p = new Path(location);
        try {
            return p.getFileSystem().getFileStatus(p).isDir();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    @Override
    public long size(URI file) throws IOException {
        Path p = new Path(file);
        try {
            return p.getFileSystem().getFileStatus(p).getLen();
        } catch (FileNotFoundException e) {
            throw missing(file, e);
        }
    }

    @Override
    public List<Entry> listFiles(URI dir) throws IOException {
        Path root = new Path(dir);
        FileSystem fs = root.getFileSystem();
        if (!isDirectory(dir)) {
            throw new NoSuchFileException(Locations.display(dir), null, "directory does not exist");
        }
        List<Entry> out = new ArrayList<>();
        List<Path> pending = new ArrayList<>(List.of(root));
        while (!pending.isEmpty()) {
            FileStatus[] children = fs.listStatus(pending.remove(pending.size() - 1));
            if (children == null) {
                continue;
            }
            for (FileStatus s : children) {
                if (s.isDir()) {
                    pending.add(s.getPath());
                } else {
                    out.add(new Entry(
                            Locations.canonical(s.getPath().makeQualified(fs).toUri()), s.getLen()));
                }
            }
        }
        out.sort(Comparator.comparing(e -> e.uri().toString()));
        return out;
    }

    @Override
    public void mkdirs(URI dir) throws IOException {
        Path p = new Path(dir);
        if (!p.getFileSystem().mkdirs(p)) {
            throw new IOException(Locations.display(dir) + ": cannot create directory");
        }
    }

    @Override
    public void rename(URI from, URI to) throws IOException {
        Path target = new Path(to);
        FileSystem fs = target.getFileSystem();
        if (fs.exists(target)) {
            throw new FileAlreadyExistsException(Locations.display(to));
        }
        if (target.getParent() != null) {
            fs.mkdirs(target.getParent());
        }
        if (!fs.rename(new Path(from), target)) {
            throw new IOException("cannot rename " + Locations.display(from) + " to " + Locations.display(to));
        }
    }

    @Override
    public void deleteRecursively(URI location) throws IOException {
        Path p = new Path(location);
        FileSystem fs = p.getFileSystem();
        if (fs.exists(p)) {
            fs.delete(p, true);
        }
    }

    @Override
    public boolean renamesAtomically(URI location) {
        return location.getScheme() == null
                || !OBJECT_STORES.contains(location.getScheme().toLowerCase(java.util.Locale.ROOT));
    }

    private static NoSuchFileException missing(URI file, FileNotFoundException cause) {
        NoSuchFileException e = new NoSuchFileException(Locations.display(file), null, "does not exist");
        e.initCause(cause);
        return e;
    }
}
