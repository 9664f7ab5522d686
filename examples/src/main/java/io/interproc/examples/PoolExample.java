package io.interproc.examples;

import io.interproc.pool.Codec;
import io.interproc.pool.ProcessPool;
import io.interproc.pool.Task;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.LongStream;

/**
 * Python's {@code Pool.map}, with worker JVMs: four workers square the numbers 1 to 20 and the
 * results come back in the order of the inputs.
 *
 * <p>Run: {@code bin/example pool}
 */
public final class PoolExample {
    private PoolExample() {
    }

    /** The work, run in the worker JVMs: bytes in, bytes out (here one long each way). */
    public static final class Square implements Task {
        @Override
        public byte[] apply(byte[] input) {
            long n = ByteBuffer.wrap(input).getLong();
            return ByteBuffer.allocate(Long.BYTES).putLong(n * n).array();
        }
    }

    public static void main(String[] args) throws Exception {
        List<Long> inputs = LongStream.rangeClosed(1, 20).boxed().toList();
        try (ProcessPool pool = ProcessPool.builder().workers(4).start()) {
            List<Long> squares = pool.map(Square.class, inputs, Codec.LONG, Codec.LONG);
            System.out.println("squares of 1..20 from 4 worker JVMs: " + squares);
        }
    }
}
