package io.redpacket.settlement.functions;

import static io.redpacket.settlement.functions.HarnessSupport.open;
import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.LiveFlag;
import io.redpacket.settlement.records.SpecificRecordSerializer;
import io.redpacket.settlement.records.VerifiedOpen;
import io.redpacket.settlement.rules.DeviceSharing;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class FlagSharedDevicesHarnessTest {
    private static final long WINDOW = 60_000;

    private static KeyedOneInputStreamOperatorTestHarness<String, VerifiedOpen, LiveFlag> harness() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FlagSharedDevices(new DeviceSharing(3, WINDOW))),
                (VerifiedOpen v) -> v.deviceId,
                Types.STRING);
        // named serializer: Flink's type extraction would look for flink-avro for a generated Avro class
        h.setup(new SpecificRecordSerializer<>(LiveFlag.class));
        h.open();
        return h;
    }

    private static VerifiedOpen on(String device, String user, long timeMs, long fen) {
        VerifiedOpen v = open(timeMs, user, "s1", "cash", fen);
        v.deviceId = device;
        v.openTimeMs = timeMs;
        return v;
    }

    @Test
    void aFarmDeviceIsFlaggedOnceThenOnlyForNewcomersAndAHouseholdNever() throws Exception {
        try (var h = harness()) {
            h.processElement(on("farm", "f1", 1_000, 10), 1_000);
            h.processElement(on("home", "mum", 1_100, 10), 1_100);
            h.processElement(on("farm", "f2", 2_000, 20), 2_000);
            h.processElement(on("home", "dad", 2_100, 10), 2_100);
            h.processElement(on("farm", "f3", 3_000, 30), 3_000);
            h.processElement(on("farm", "f1", 4_000, 40), 4_000);
            h.processElement(on("farm", "f4", 5_000, 50), 5_000);

            assertThat(h.extractOutputValues())
                    .satisfiesExactly(
                            first -> {
                                assertThat(first.getSubject()).isEqualTo("farm");
                                assertThat(first.getAccounts()).containsExactly("f1", "f2", "f3");
                                assertThat(first.getNewAccounts()).containsExactly("f1", "f2", "f3");
                                assertThat(first.getOpenedFen()).isEqualTo(60);
                                assertThat(first.getFlagId()).isEqualTo(DeviceSharing.KIND + ":farm:3000");
                            },
                            second -> {
                                assertThat(second.getNewAccounts()).containsExactly("f4");
                                assertThat(second.getOpenedFen()).isEqualTo(150);
                                assertThat(second.getWindowMs()).isEqualTo(WINDOW);
                            });
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            assertThat(h.numEventTimeTimers()).as("one timer per device").isEqualTo(2);
        }
    }

    @Test
    void stateAndTimersAreGoneAWindowAfterEachDevicesLastOpen() throws Exception {
        try (var h = harness()) {
            h.processElement(on("a", "u1", 1_000, 10), 1_000);
            h.processElement(on("a", "u2", 30_000, 10), 30_000);
            h.processElement(on("b", "u3", 5_000, 10), 5_000);

            h.processWatermark(new Watermark(5_000 + WINDOW));
            assertThat(h.numKeyedStateEntries())
                    .as("b's only open aged out; a's latest has not")
                    .isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            h.processWatermark(new Watermark(30_000 + WINDOW));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void aDeviceOpeningSteadilyKeepsOneTimerAndForgetsNothingWithinTheWindowWhenItFires() throws Exception {
        try (var h = harness()) {
            h.processElement(on("d", "u1", 1_000, 10), 1_000);
            h.processElement(on("d", "u2", 30_000, 10), 30_000);
            h.processElement(on("d", "u1", 40_000, 10), 40_000);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            // the first open's timer fires; the device's end has moved to 100,000, so its state stays whole
            h.processWatermark(new Watermark(61_000));
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            // u2 (last seen 30,000) is still within the window of an open at 90,000
            h.processElement(on("d", "u3", 90_000, 10), 90_000);
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(f -> assertThat(f.getAccounts()).containsExactly("u1", "u2", "u3"));

            h.processWatermark(new Watermark(90_000 + WINDOW));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
