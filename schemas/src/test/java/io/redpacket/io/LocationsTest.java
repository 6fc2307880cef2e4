package io.redpacket.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocationsTest {
    @Test
    void distributedUrisAreKeptAsGivenWithoutTrailingSlash() {
        assertThat(Locations.parse("hdfs://nn:8020/data/spring/")).isEqualTo(URI.create("hdfs://nn:8020/data/spring"));
        assertThat(Locations.parse("s3a://bucket/campaigns/2027")).isEqualTo(URI.create("s3a://bucket/campaigns/2027"));
        assertThat(Locations.parse("s3a://bucket")).isEqualTo(URI.create("s3a://bucket/"));
    }

    @Test
    void bareAndFilePathsAreAbsoluteLocalUrisSpelledOneWay() {
        URI relative = Locations.parse("out/v1");
        assertThat(relative.toString()).isEqualTo("file://" + Path.of("out/v1").toAbsolutePath());
        assertThat(Locations.parse("/data/x/")).isEqualTo(URI.create("file:///data/x"));
        assertThat(Locations.parse("file:///data/x")).isEqualTo(URI.create("file:///data/x"));
        assertThat(Locations.parse("file:/data/x")).isEqualTo(URI.create("file:///data/x"));
        assertThat(Locations.parse("/data/../data/x")).isEqualTo(URI.create("file:///data/x"));
    }

    @Test
    void aSchemeIsNeverTakenForARelativePath() {
        // hdfs:/x names no namenode: refused, not turned into a folder called "hdfs:".
        assertThatThrownBy(() -> Locations.parse("hdfs:/data/x")).hasMessageContaining("names no host");
        assertThatThrownBy(() -> Locations.parse("s3a:///x")).hasMessageContaining("names no bucket");
        assertThatThrownBy(() -> Locations.parse("hdfs://nn/a b|c")).hasMessageContaining("not a valid URI");
        assertThatThrownBy(() -> Locations.parse("file://otherhost/x")).hasMessageContaining("names no host");
        assertThatThrownBy(() -> Locations.parse(" ")).hasMessageContaining("empty");
    }

    @Test
    void childrenParentsAndRelativePaths() {
        URI dir = URI.create("hdfs://nn:8020/c/main");
        URI f = Locations.child(dir, "envelopes/slot=s1/shard-00001.env");
        assertThat(f).isEqualTo(URI.create("hdfs://nn:8020/c/main/envelopes/slot=s1/shard-00001.env"));
        assertThat(Locations.relativize(dir, f)).isEqualTo("envelopes/slot=s1/shard-00001.env");
        assertThat(Locations.fileName(f)).isEqualTo("shard-00001.env");
        assertThat(Locations.parent(Locations.parent(f))).isEqualTo(URI.create("hdfs://nn:8020/c/main/envelopes"));
        assertThat(Locations.child(URI.create("s3a://b/"), "x")).isEqualTo(URI.create("s3a://b/x"));
        assertThat(Locations.child(Locations.parse("/tmp/a b"), "c d").getPath())
                .isEqualTo("/tmp/a b/c d");
        assertThat(Locations.relativize(URI.create("file:///tmp/a"), URI.create("file:/tmp/a/b")))
                .isEqualTo("b");
        assertThatThrownBy(() -> Locations.child(dir, "../other")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Locations.relativize(dir, URI.create("hdfs://nn:8020/c/other")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void displayShowsLocalPathsAsPaths() {
        assertThat(Locations.display(URI.create("file:///data/x"))).isEqualTo("/data/x");
        assertThat(Locations.display(URI.create("hdfs://nn/x"))).isEqualTo("hdfs://nn/x");
    }
}
