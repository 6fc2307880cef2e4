package io.redpacket.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRingStoreTest {
    static final char[] PASSWORD = "correct horse".toCharArray();

    @Test
    void roundTripsEveryKeyAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        KeyRing ring = KeyRing.generate(50, new SecureRandom());
        Path file = dir.resolve("ring.p12");
        KeyRingStore.save(ring, file, PASSWORD, 1_000);
        KeyRing loaded = KeyRingStore.load(file, PASSWORD);
        assertThat(loaded).isEqualTo(ring);
        assertThat(loaded.size()).isEqualTo(50);
        assertThat(loaded.tokenMacKey().getEncoded())
                .isEqualTo(ring.tokenMacKey().getEncoded());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void noKeyMaterialInToStringOrTheFileInClear(@TempDir Path dir) throws IOException {
        KeyRing ring = KeyRing.generate(2, new SecureRandom());
        Path file = dir.resolve("ring.p12");
        KeyRingStore.save(ring, file, PASSWORD, 1_000);
        byte[] key = ring.ticketKey(1).getEncoded();
        assertThat(ring.toString()).doesNotContain(java.util.HexFormat.of().formatHex(key));
        byte[] stored = Files.readAllBytes(file);
        assertThat(indexOf(stored, key)).isEqualTo(-1);
    }

    @Test
    void exportsHoldOnlyWhatTheSideMayHold(@TempDir Path dir) throws IOException {
        KeyRing ring = KeyRing.generate(10, new SecureRandom());
        KeyRingStore.save(ring.restrictTo(id -> id % 2 == 0), dir.resolve("open.p12"), PASSWORD, 1_000);
        KeyRingStore.save(ring.tokenOnly(), dir.resolve("token.p12"), PASSWORD, 1_000);
        KeyRing open = KeyRingStore.load(dir.resolve("open.p12"), PASSWORD);
        assertThat(open.keyIds()).containsExactly(2, 4, 6, 8, 10);
        assertThat(open.hasTicketKey(3)).isFalse();
        KeyRing token = KeyRingStore.load(dir.resolve("token.p12"), PASSWORD);
        assertThat(token.size()).isZero();
        assertThat(token.tokenMacKey().getEncoded())
                .isEqualTo(ring.tokenMacKey().getEncoded());
    }

    @Test
    void wrongPasswordMissingAndDamagedFilesNameTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("ring.p12");
        KeyRingStore.save(KeyRing.generate(1, new SecureRandom()), file, PASSWORD, 1_000);
        assertThatThrownBy(() -> KeyRingStore.load(file, "wrong".toCharArray()))
                .isInstanceOf(IOException.class)
                .hasMessage("cannot open key store " + file
                        + ": wrong password (or the file was altered: its integrity check failed)")
                .hasMessageNotContaining("Exception");
        assertThatThrownBy(() -> KeyRingStore.load(dir.resolve("none.p12"), PASSWORD))
                .hasMessageContaining("none.p12");
        Path damaged = dir.resolve("damaged.p12");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(damaged, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> KeyRingStore.load(damaged, PASSWORD))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("damaged.p12")
                .hasMessageNotContaining("Exception");
    }

    @Test
    void passwordComesFromAFileOrTheEnvironment(@TempDir Path dir) throws IOException {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "from-file\nignored\n");
        assertThat(KeyStorePassword.resolve(pw, Map.of(KeyStorePassword.ENV, "from-env")))
                .containsExactly("from-file".toCharArray());
        assertThat(KeyStorePassword.resolve(null, Map.of(KeyStorePassword.ENV, "from-env")))
                .containsExactly("from-env".toCharArray());
        assertThatThrownBy(() -> KeyStorePassword.resolve(null, Map.of())).hasMessageContaining(KeyStorePassword.ENV);
        Files.writeString(pw, "");
        assertThatThrownBy(() -> KeyStorePassword.resolve(pw, Map.of())).hasMessageContaining("empty");
    }

    @Test
    void generateRejectsImpossibleCounts() {
        assertThatThrownBy(() -> KeyRing.generate(0, new SecureRandom())).hasMessageContaining("key count");
        assertThatThrownBy(() -> KeyRing.generate(65_536, new SecureRandom())).hasMessageContaining("1..65535");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
