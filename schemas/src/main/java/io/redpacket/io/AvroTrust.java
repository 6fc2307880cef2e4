package io.redpacket.io;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Lets Avro 1.12 read this project's generated classes without any JVM flag. Avro refuses to instantiate a
 * class named by a schema unless it is trusted, and trusts only what {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES}
 * lists when its class is initialized: a job submitted to a stock cluster cannot count on that flag on the
 * client, the JobManager or any TaskManager. This widens Avro's global predicate, in the class loader that loaded
 * Avro, by exactly one package, {@value #PACKAGE}: everything Avro trusted before stays trusted.
 *
 * <p>Call {@link #install()} before reading Avro in a {@code main} and in every place a task reads Avro (an
 * operator's {@code open()}, a serializer's or deserializer's static initializer): it is idempotent and cheap.
 */
public final class AvroTrust {
    /** The generated classes' package (see the schemas' {@code namespace}). */
    public static final String PACKAGE = "io.redpacket.avro";

    private static final ClassSecurityPredicate GENERATED = type -> type.getName().startsWith(PACKAGE + ".");

    private AvroTrust() {}

    /** Trusts the generated classes in this class loader's copy of Avro; safe to call any number of times. */
    public static void install() {
        synchronized (ClassSecurityValidator.class) {
            ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
            if (current instanceof Installed) {
                return;
            }
            ClassSecurityValidator.setGlobal(new Installed(current));
        }
    }

    /** Whether Avro, as configured now, would read {@code type}. */
    public static boolean isTrusted(Class<?> type) {
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
