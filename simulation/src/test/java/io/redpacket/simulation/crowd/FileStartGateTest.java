package io.redpacket.simulation.crowd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FileStartGateTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(60)
    void saysHowManyAccountsAreRegisteredThenHoldsUntilTheStartFileAppears() throws Exception {
        Path registered = tmp.resolve("registered");
        Path start = tmp.resolve("start");
        FileStartGate gate = new FileStartGate(registered, start, Duration.ofSeconds(50));
        CompletableFuture<Void> crowd = CompletableFuture.runAsync(() -> {
            try {
                gate.registered(8217);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await("the registered file")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> Files.exists(registered));
        assertThat(Files.readString(registered)).isEqualTo("8217\n");
        // Held: the start file is not there yet, and the crowd stays held for as long as we look.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(30)).until(() -> !crowd.isDone());
        Files.writeString(start, "");
        crowd.get(30, TimeUnit.SECONDS);
    }

    @Test
    @Timeout(60)
    void givesUpWhenNoStartSignalComes() {
        FileStartGate gate = new FileStartGate(tmp.resolve("registered"), tmp.resolve("start"), Duration.ofMillis(100));
        assertThatThrownBy(() -> gate.registered(3))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no start signal");
        assertThat(tmp.resolve("registered")).content().isEqualTo("3\n");
    }
}
