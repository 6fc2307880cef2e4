package io.redpacket.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.EnvelopeType;
import java.io.ByteArrayInputStream;
import java.util.List;
import org.apache.avro.util.ClassSecurityValidator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The generated classes are readable with no JVM flag once {@link AvroTrust#install()} ran; nothing else is widened. */
class AvroTrustTest {
    private ClassSecurityValidator.ClassSecurityPredicate saved;

    @BeforeEach
    void withoutTheFlag() {
        // what a JVM started without -Dorg.apache.avro.SERIALIZABLE_PACKAGES trusts
        saved = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.DEFAULT_TRUSTED_CLASSES);
    }

    @AfterEach
    void restore() {
        ClassSecurityValidator.setGlobal(saved);
    }

    @Test
    void generatedClassesAreForbiddenUntilInstalledThenReadable() throws Exception {
        assertThatThrownBy(() -> ClassSecurityValidator.validate(BatchConfig.class))
                .isInstanceOf(SecurityException.class)
                .hasMessageContaining("io.redpacket.avro.BatchConfig");

        AvroTrust.install();
        AvroTrust.install();

        ClassSecurityValidator.validate(BatchConfig.class);
        assertThat(AvroTrust.isTrusted(EnvelopeType.class)).isTrue();
        assertThat(AvroTrust.isTrusted(String.class))
                .as("what Avro trusted before stays trusted")
                .isTrue();
        assertThat(AvroTrust.isTrusted(AvroTrustTest.class))
                .as("no other package")
                .isFalse();
        assertThat(AvroTrust.isTrusted(java.io.File.class)).isFalse();

        BatchConfig b = BatchConfig.newBuilder()
                .setBatchId(1)
                .setCampaignId("c")
                .setVariant("v")
                .setSlotId("s")
                .setSponsorId("sp")
                .setSponsorName("n")
                .setPaymentOrder("po")
                .setEnvelopeAccount("acc")
                .setType(EnvelopeType.PICTURE)
                .setChannel("cash")
                .setCount(1)
                .setTotalFen(5)
                .setMinFen(5)
                .setMaxFen(5)
                .setFirstEnvelopeId(0)
                .build();
        byte[] bytes = AvroFiles.toBytes(List.of(b), BatchConfig.getClassSchema());
        assertThat(AvroFiles.readAll(new ByteArrayInputStream(bytes), "batches.avro", BatchConfig.class))
                .containsExactly(b);
    }
}
