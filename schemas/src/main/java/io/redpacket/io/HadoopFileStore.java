package io.redpacket.io;

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
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.UnsupportedFileSystemException;

/**
 * Any file system Hadoop's client is configured for ({@code hdfs://}, {@code s3a://}, {@code file:}, ...), with
 * the configuration the caller passes: in a Spark job the session's {@code hadoopConfiguration()}, so the
 * cluster's {@code core-site.xml} and {@code spark.hadoop.*} settings win. Hadoop is not a dependency of
 * this module's users: only the Spark modules, which have it from Spark, create this class.
 */
public final class HadoopFileStore implements FileStore {
    private final Configuration conf;

    public HadoopFileStore(Configuration conf) {
        this.conf = conf;
    }

    /**
     * Checks that the scheme of {@code location} has a file system here, so a typo'd or unsupported scheme is
     * reported at once, naming the option, instead of failing a task later.
     *
     * @throws IllegalArgumentException naming the scheme
     */
    public void requireSupported(URI location) {
        try {
            FileSystem.getFileSystemClass(location.getScheme(), conf);
        } catch (UnsupportedFileSystemException e) {
            throw new IllegalArgumentException(location + ": no file system for scheme '" + location.getScheme()
                    + "' here (hdfs://, s3a:// with hadoop-aws on the class path, file://, or a local path)");
        } catch (IOException e) {
            throw new IllegalArgumentException(location + ": " + e.getMessage(), e);
        }
    }

    public Configuration configuration() {
        return conf;
    }

    @Override
    public InputStream open(URI file) throws IOException {
        try {
            FileSystem fs = fs(file);
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(file);
            if (fs.getFileStatus(p).isDirectory()) {
                throw new NoSuchFileException(Locations.display(file), null, "is a directory, not a file");
            }
            return fs.open(p);
        } catch (FileNotFoundException e) {
            throw missing(file, e);
        }
    }

    @Override
    public OutputStream create(URI file) throws IOException {
        return fs(file).create(new org.apache.hadoop.fs.Path(file), true);
    }

    @Override
    public boolean exists(URI location) throws IOException {
        return fs(location).exists(new org.apache.hadoop.fs.Path(location));
    }

    @Override
    public boolean isDirectory(URI location) throws IOException {
        try {
            return fs(location)
                    .getFileStatus(new org.apache.hadoop.fs.Path(location))
                    .isDirectory();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    @Override
    public long size(URI file) throws IOException {
        try {
            FileStatus s = fs(file).getFileStatus(new org.apache.hadoop.fs.Path(file));
            if (s.isDirectory()) {
                throw new NoSuchFileException(Locations.display(file), null, "is a directory, not a file");
            }
            return s.getLen();
        } catch (FileNotFoundException e) {
            throw missing(file, e);
        }
    }

    @Override
    public List<Entry> listFiles(URI dir) throws IOException {
        FileSystem fs = fs(dir);
        List<Entry> out = new ArrayList<>();
        try {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(new org.apache.hadoop.fs.Path(dir), true);
            while (it.hasNext()) {
                LocatedFileStatus s = it.next();
                out.add(new Entry(Locations.canonical(s.getPath().toUri()), s.getLen()));
            }
        } catch (FileNotFoundException e) {
            throw missing(dir, e);
        }
        out.sort(Comparator.comparing(e -> e.uri().toString()));
        return out;
    }

    @Override
    public void mkdirs(URI dir) throws IOException {
        fs(dir).mkdirs(new org.apache.hadoop.fs.Path(dir));
    }

    @Override
    public void rename(URI from, URI to) throws IOException {
        FileSystem fs = fs(from);
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(to);
        if (fs.exists(target)) {
            throw new FileAlreadyExistsException(Locations.display(to));
        }
        if (target.getParent() != null) {
            fs.mkdirs(target.getParent());
        }
        // FileSystem.rename answers false instead of saying why; check the usual reasons first, then report.
        if (!fs.rename(new org.apache.hadoop.fs.Path(from), target)) {
            throw new IOException("cannot rename " + from + " to " + to
                    + (fs.exists(new org.apache.hadoop.fs.Path(from)) ? "" : ": source does not exist"));
        }
    }

    @Override
    public void deleteRecursively(URI location) throws IOException {
        fs(location).delete(new org.apache.hadoop.fs.Path(location), true);
    }

    /** Object stores (s3a, gs, wasb, ...) copy on rename; HDFS, local disk and viewfs rename in one step. */
    @Override
    public boolean renamesAtomically(URI location) {
        return !isObjectStore(location.getScheme());
    }

    static boolean isObjectStore(String scheme) {
        String s = scheme == null ? "file" : scheme.toLowerCase();
        return s.startsWith("s3")
                || s.equals("gs")
                || s.equals("oss")
                || s.equals("cos")
                || s.equals("wasb")
                || s.equals("wasbs");
    }

    private FileSystem fs(URI location) throws IOException {
        try {
            FileSystem fs = FileSystem.get(location, conf);
            // Hadoop's local file system writes a hidden .crc file beside every file; campaign directories are also
            // read with java.nio (edges), where those would be strangers. Our files carry their own checksums.
            return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        } catch (UnsupportedFileSystemException e) {
            throw new IOException(location + ": no file system for scheme '" + location.getScheme() + "' here", e);
        }
    }

    private static NoSuchFileException missing(URI location, FileNotFoundException cause) {
        NoSuchFileException e = new NoSuchFileException(Locations.display(location), null, "does not exist");
        e.initCause(cause);
        return e;
    }
}
