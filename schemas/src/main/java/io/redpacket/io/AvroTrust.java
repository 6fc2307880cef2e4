package io.redpacket.io;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Lets Avro 1.12 read this project's generated classes without any JVM flag. Avro refuses to instantiate a
 * class named by a schema unless it is trusted, and trusts only what {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES}
 * lists when its class is initialized: a job submitted to a stock cluster cannot count on that flag on the
 * client, the JobManager or any TaskManager. This widens Avro's trust by exactly one package, {@value #PACKAGE}:
 * everything Avro trusted before stays trusted.
 *
 * <p>Works on the Avro a cluster ships: 1.12.2 checks every class through a global {@code ClassSecurityValidator}
 * predicate, which is widened in the class loader that loaded Avro; 1.12.1 (Spark 4.2.0's) has no such class and
 * checks only classes named by {@code java-class} schema properties, against the system property read when its
 * {@code SpecificDatumReader} is initialized, which is extended here when nothing has read it yet.
 *
 * <p>Call {@link #install()} before reading Avro in a {@code main} and in every place a task reads Avro (an
 * operator's {@code open()}, a serializer's or deserializer's static initializer): it is idempotent and cheap.
 */
public final class AvroTrust {
    /** The generated classes' package (see the schemas' {@code namespace}). */
    public static final String PACKAGE = "io.redpacket.avro";

    static final String PROPERTY = "org.apache.avro.SERIALIZABLE_PACKAGES";

    private static final boolean GLOBAL_VALIDATOR = classPresent("org.apache.avro.util.ClassSecurityValidator");

    private AvroTrust() {}

    /** Trusts the generated classes in this class loader's copy of Avro; safe to call any number of times. */
    public static void install() {
        synchronized (AvroTrust.class) {
            String listed = System.getProperty(PROPERTY);
            if (listed == null || listed.isBlank()) {
                System.setProperty(PROPERTY, PACKAGE);
            } else if (!("," + listed + ",").contains("," + PACKAGE + ",")
                    && !listed.strip().equals("*")) {
                System.setProperty(PROPERTY, listed + "," + PACKAGE);
            }
        }
        if (GLOBAL_VALIDATOR) {
            Validator.install();
        }
    }

    /** Whether Avro, as configured now, would read {@code type} (1.12.1 does not check generated classes). */
    public static boolean isTrusted(Class<?> type) {
        return !GLOBAL_VALIDATOR || Validator.isTrusted(type);
    }

    private static boolean classPresent(String name) {
        try {
            Class.forName(name, false, AvroTrust.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Touches Avro 1.12.2's validator; loaded only where that class exists. */
    private static final class Validator {
        private static final ClassSecurityPredicate GENERATED =
                type -> type.getName().startsWith(PACKAGE + ".");

        static void install() {
            synchronized (ClassSecurityValidator.class) {
                ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
                if (current instanceof Installed) {
                    return;
                }
                ClassSecurityValidator.setGlobal(new Installed(current));
            }
        }

        static boolean isTrusted(Class<?> type) {
            return ClassSecurityValidator.getGlobal().isTrusted(type);
        }

        /** Avro's previous predicate, or the generated classes. */
        private record Installed(ClassSecurityPredicate previous) implements ClassSecurityPredicate {
            @Override
            public boolean isTrusted(Class<?> type) {
                return GENERATED.isTrusted(type) || previous.isTrusted(type);
            }
        }
    }
}
