package io.interproc.queue.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.RegionDirectory;
import io.interproc.core.testing.ShmTempDir;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgronaBuffersTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void shouldEncodeIntoAClaimAndDecodeFromTheRingThroughAgronaViews() {
        try (SpscRing ring = SpscRing.create(RegionDirectory.of(dir), "r", RingOptions.of(4096, 256))) {
            UnsafeBuffer out = AgronaBuffers.wrap(ring.buffer());
            for (int i = 0; i < 100; i++) {
                long offset = ring.tryClaim(3, 12);
                out.putLong((int) offset, 1000L + i);
                out.putInt((int) offset + 8, -i);
                ring.commit(offset);
                List<String> got = new ArrayList<>();
                ring.read(AgronaBuffers.receiver((type, buffer, index, length) ->
                    got.add(type + ":" + buffer.getLong(index) + ":" + buffer.getInt(index + 8) + ":" + length)), 10);
                assertEquals(List.of("3:" + (1000 + i) + ":" + (-i) + ":12"), got);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> AgronaBuffers.wrap(MemorySegment.ofArray(new byte[8])));
    }

    @Test
    void shouldMoveTheAgronaViewWithTheLaneAMessageComesFrom() {
        try (MpscRing ring = MpscRing.create(RegionDirectory.of(dir), "m", RingOptions.of(4096, 256).withMaxLanes(2));
             MpscRing.Producer a = ring.attach();
             MpscRing.Producer b = ring.attach()) {
            List<Long> got = new ArrayList<>();
            org.agrona.concurrent.MessageHandler decode = (type, buffer, index, length) -> got.add(buffer.getLong(index));
            var receiver = AgronaBuffers.receiver(decode);
            for (long i = 0; i < 10; i++) {
                MpscRing.Producer p = i % 2 == 0 ? a : b;
                assertTrue(p.offer(1, MemorySegment.ofArray(new long[] {i}), 0, 8));
                assertEquals(1, ring.read(receiver, 10));
            }
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), got);
        }
    }
}
