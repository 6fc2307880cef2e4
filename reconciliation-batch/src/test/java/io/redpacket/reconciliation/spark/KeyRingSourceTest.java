package io.redpacket.reconciliation.spark;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.cli.BadInputException;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** When the driver may send ticket keys to executors (the password came from its environment only). */
class KeyRingSourceTest {
    private static SparkConf master(String master) {
        return new SparkConf(false).setMaster(master);
    }

    @Test
    void keysMayBeBroadcastInOneJvm() {
        for (String m : new String[] {"local", "local[2]", "local[*]", "local[2,3]"}) {
            assertThatCode(() -> KeyRingSource.requireProtectedTransport(master(m)))
                    .as(m)
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void onAClusterOnlyOverAnAuthenticatedEncryptedNetwork() {
        for (String m :
                new String[] {"spark://10.0.0.1:7077", "yarn", "local-cluster[2,1,1024]", "k8s://https://api:6443"}) {
            assertThatThrownBy(() -> KeyRingSource.requireProtectedTransport(master(m)))
                    .as(m)
                    .isInstanceOf(BadInputException.class)
                    .hasMessageStartingWith("--password-file: required on a cluster");
            assertThatThrownBy(() ->
                            KeyRingSource.requireProtectedTransport(master(m).set("spark.authenticate", "true")))
                    .as("authentication without encryption")
                    .isInstanceOf(BadInputException.class);
            assertThatCode(() -> KeyRingSource.requireProtectedTransport(
                            master(m).set("spark.authenticate", "true").set("spark.network.crypto.enabled", "true")))
                    .as(m)
                    .doesNotThrowAnyException();
        }
    }
}
