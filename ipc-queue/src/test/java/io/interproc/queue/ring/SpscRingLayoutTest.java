package io.interproc.queue.ring;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The handle's field layout as the JVM running the tests lays it out: the fields the producer
 * writes for every message, the ones the consumer writes, and the rest (read by both) are at least
 * 128 bytes apart, whatever the object's alignment. A gap in a padded group once let the JVM put
 * {@code capacity}, which the consumer reads for every message, next to the producer's fields.
 * Offsets come from {@code sun.misc.Unsafe.objectFieldOffset} (test only); where it is not there
 * the test is skipped.
 */
class SpscRingLayoutTest {
    private static final int APART = 128;

    private record Placed(String name, long offset, long size) {
        long end() {
            return offset + size;
        }
    }

    @Test
    void shouldKeepTheProducersAndTheConsumersFieldsOnLinesOfTheirOwn() throws Exception {
        List<Placed> producer = new ArrayList<>();
        List<Placed> consumer = new ArrayList<>();
        List<Placed> shared = new ArrayList<>();
        Method offsetOf = unsafeObjectFieldOffset();
        Object unsafe = theUnsafe();
        for (Class<?> c = SpscRing.class; c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Placed placed = new Placed(c.getSimpleName() + "." + f.getName(), (long) offsetOf.invoke(unsafe, f),
                    size(f.getType()));
                if (c == SpscRingFields.ProducerFields.class) {
                    producer.add(placed);
                } else if (c == SpscRingFields.ConsumerFields.class) {
                    consumer.add(placed);
                } else if (c == SpscRing.class) {
                    shared.add(placed);
                }
            }
        }
        assertTrue(!producer.isEmpty() && !consumer.isEmpty() && !shared.isEmpty());
        assertApart(producer, consumer);
        assertApart(producer, shared);
        assertApart(consumer, shared);
    }

    private static void assertApart(List<Placed> written, List<Placed> others) {
        for (Placed w : written) {
            for (Placed o : others) {
                long gap = w.offset() < o.offset() ? o.offset() - w.end() : w.offset() - o.end();
                assertTrue(gap >= APART, w + " and " + o + " are only " + gap + " bytes apart");
            }
        }
    }

    private static long size(Class<?> type) {
        if (type == long.class || type == double.class) {
            return 8;
        }
        if (type == int.class || type == float.class) {
            return 4;
        }
        if (type == short.class || type == char.class) {
            return 2;
        }
        if (type == byte.class || type == boolean.class) {
            return 1;
        }
        return 8; // a reference: 4 or 8 bytes; the larger is the stricter
    }

    private static Object theUnsafe() throws Exception {
        Class<?> type = unsafeClass();
        Field field = type.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        return field.get(null);
    }

    private static Method unsafeObjectFieldOffset() throws Exception {
        return unsafeClass().getMethod("objectFieldOffset", Field.class);
    }

    private static Class<?> unsafeClass() {
        try {
            return Class.forName("sun.misc.Unsafe");
        } catch (ClassNotFoundException e) {
            assumeTrue(false, "sun.misc.Unsafe is not there: field offsets unknown");
            throw new AssertionError(e);
        }
    }
}
