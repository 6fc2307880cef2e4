package io.redpacket.edge.dispense;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ReservedCursorTest {
    @TempDir
    Path dir;

    @Test
    void reservationIsDurableBeforeAnIndexIsHandedOut() throws IOException {
        Path f = dir.resolve("c/shard-00000.cursor");
        ReservedCursor c = ReservedCursor.open(f, 25, 10);
        assertThat(Files.exists(f)).isFalse();
        assertThat(c.take()).isEqualTo(0);
        assertThat(Files.readString(f).trim()).isEqualTo("next=10");
        for (int i = 1; i < 10; i++) {
            assertThat(c.take()).isEqualTo(i);
        }
        assertThat(Files.readString(f).trim()).isEqualTo("next=10");
        assertThat(c.take()).isEqualTo(10);
        assertThat(Files.readString(f).trim()).isEqualTo("next=20");
    }

    @Test
    void withPrefetchTheReservationStaysAFullBlockAhead() throws IOException {
        Path f = dir.resolve("p.cursor");
        ReservedCursor c = ReservedCursor.open(f, 100, 10, Runnable::run);
        assertThat(c.take()).isEqualTo(0);
        assertThat(Files.readString(f).trim()).isEqualTo("next=10");
        assertThat(c.take()).isEqualTo(1); // within a block of the reservation's end: the next block is reserved
        assertThat(Files.readString(f).trim()).isEqualTo("next=20");
        for (int i = 2; i < 12; i++) {
            c.take();
        }
        assertThat(c.reservedUpTo() - 12).isGreaterThanOrEqualTo(9);
        assertThat(ReservedCursor.open(f, 100, 10).take()).isEqualTo(c.reservedUpTo());
    }

    @Test
    void restartResumesAfterTheReservationSoNothingIsHandedOutTwice() throws IOException {
        Path f = dir.resolve("shard.cursor");
        ReservedCursor first = ReservedCursor.open(f, 25, 10);
        for (int i = 0; i < 13; i++) {
            first.take();
        }
        // crash: indexes 13..19 were reserved but never handed out; they are the refunded gap
        ReservedCursor second = ReservedCursor.open(f, 25, 10);
        assertThat(second.resumedAt()).isEqualTo(20);
        assertThat(second.take()).isEqualTo(20);
        for (int i = 21; i < 25; i++) {
            assertThat(second.take()).isEqualTo(i);
        }
        assertThat(second.take()).isEqualTo(-1);
        assertThat(second.exhausted()).isTrue();
        assertThat(Files.readString(f).trim()).isEqualTo("next=25");
        assertThat(ReservedCursor.open(f, 25, 10).take()).isEqualTo(-1);
    }

    @Test
    @Timeout(30)
    void concurrentTakersNeverShareAnIndex() throws Exception {
        ReservedCursor c = ReservedCursor.open(dir.resolve("x.cursor"), 20_000, 500);
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            pool.submit(() -> {
                long i;
                while ((i = c.take()) >= 0) {
                    assertThat(seen.add(i)).isTrue();
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).hasSize(20_000);
    }

    @Test
    void damagedCursorFileIsNamedInTheError() throws IOException {
        Path f = dir.resolve("bad.cursor");
        Files.writeString(f, "next=abc\n");
        assertThatThrownBy(() -> ReservedCursor.open(f, 10, 5))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("line 1")
                .hasMessageContaining("abc");
    }
}
