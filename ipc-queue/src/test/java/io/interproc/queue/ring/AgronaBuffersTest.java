package io.interproc.queue.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.RegionDirectory;
import io.interproc.core.ShmTempDir;
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
        try (RingBuffer ring = RingBuffer.create(RegionDirectory.of(dir), "r", 4096, 256, false)) {
            UnsafeBuffer out = AgronaBuffers.wrap(ring.buffer());
            for (int i = 0; i < 100; i++) {
                long offset = ring.tryClaim(3, 12);
                out.putLong((int) offset, 1000L + i);
                out.putInt((int) offset + 8, -i);
                assertTrue(ring.commit(offset));
                List<String> got = new ArrayList<>();
                ring.read(AgronaBuffers.handler(ring, (type, buffer, index, length) ->
                    got.add(type + ":" + buffer.getLong(index) + ":" + buffer.getInt(index + 8) + ":" + length)), 10);
                assertEquals(List.of("3:" + (1000 + i) + ":" + (-i) + ":12"), got);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> AgronaBuffers.wrap(MemorySegment.ofArray(new byte[8])));
    }
}
