package io.interproc.pool;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Every message the pool and its workers exchange, encoded and decoded in this one place (the
 * formats are drawn in {@link PoolDescriptor}): tasks on the task queue, results, task failures
 * and initializer failures on the result ring, and the initializer's argument on the worker's
 * command line. Big-endian. Stateless.
 */
final class PoolMessages {
    /** Bytes a task message takes besides its class name and input: id (8) and name length (2). */
    static final int TASK_OVERHEAD = 10;

    private PoolMessages() {
    }

    /** A task as a worker reads it from the task queue. */
    record TaskMessage(long id, String className, byte[] input) {
    }

    /**
     * What the pool reads from the result ring: a task's result, a task's failure or the
     * initializer's failure (then {@code taskId} is -1).
     *
     * @param result the task's bytes, or null for a failure
     * @param pid    the failing worker's pid, or 0 for a result
     * @param error  class name, message and stack trace of the failure, or null for a result
     */
    record Reply(long taskId, byte[] result, long pid, String[] error) {
    }

    /** {@return the task message for task {@code id} of class {@code className} with {@code input}} */
    static byte[] task(long id, byte[] className, byte[] input) {
        return ByteBuffer.allocate(TASK_OVERHEAD + className.length + input.length).putLong(id)
            .putShort((short) className.length).put(className).put(input).array();
    }

    /** @throws IllegalArgumentException if the message is not a task message */
    static TaskMessage readTask(MemorySegment buffer, long offset, int length) {
        ByteBuffer in = buffer.asSlice(offset, length).asByteBuffer();
        if (length < TASK_OVERHEAD) {
            throw new IllegalArgumentException("a task message of " + length + " bytes is shorter than "
                + TASK_OVERHEAD);
        }
        long id = in.getLong();
        int nameLength = Short.toUnsignedInt(in.getShort());
        if (nameLength > in.remaining()) {
            throw new IllegalArgumentException("a task message names a class of " + nameLength + " bytes in "
                + in.remaining());
        }
        byte[] name = new byte[nameLength];
        in.get(name);
        byte[] input = new byte[in.remaining()];
        in.get(input);
        return new TaskMessage(id, new String(name, StandardCharsets.UTF_8), input);
    }

    /** {@return the result message of task {@code taskId} (type RESULT)} */
    static byte[] result(long taskId, byte[] result) {
        return ByteBuffer.allocate(8 + result.length).putLong(taskId).put(result).array();
    }

    /** {@return the failure message of task {@code taskId} (type ERROR), at most {@code limit} bytes} */
    static byte[] failure(long taskId, long pid, Throwable thrown, int limit) {
        byte[] error = error(thrown, limit - 16);
        return ByteBuffer.allocate(16 + error.length).putLong(taskId).putLong(pid).put(error).array();
    }

    /** {@return the message that the initializer failed (type INIT_FAILED), at most {@code limit} bytes} */
    static byte[] initFailure(long pid, Throwable thrown, int limit) {
        byte[] error = error(thrown, limit - 8);
        return ByteBuffer.allocate(8 + error.length).putLong(pid).put(error).array();
    }

    /**
     * Decodes a message of the result ring.
     *
     * @throws IllegalArgumentException if it is corrupt
     */
    static Reply readReply(int type, MemorySegment buffer, long offset, int length) {
        ByteBuffer in = buffer.asSlice(offset, length).asByteBuffer();
        if (in.remaining() < 8) {
            throw new IllegalArgumentException("a result message of " + length + " bytes from a worker");
        }
        if (type == PoolDescriptor.INIT_FAILED) {
            long pid = in.getLong();
            return new Reply(-1, null, pid, error(in));
        }
        long id = in.getLong();
        if (type == PoolDescriptor.RESULT) {
            byte[] bytes = new byte[in.remaining()];
            in.get(bytes);
            return new Reply(id, bytes, 0, null);
        }
        if (in.remaining() < 8) {
            throw new IllegalArgumentException("a failure message of " + length + " bytes from a worker");
        }
        long pid = in.getLong();
        return new Reply(id, null, pid, error(in));
    }

    /** An error record for {@code thrown}, cut to at most {@code limit} bytes (the stack trace is cut first). */
    private static byte[] error(Throwable thrown, int limit) {
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        return error(thrown.getClass().getName(), thrown.getMessage() == null ? "" : thrown.getMessage(),
            trace.toString(), limit);
    }

    static byte[] error(String className, String message, String stackTrace, int limit) {
        byte[] name = cut(className, Math.max(0, limit / 4));
        byte[] text = cut(message, Math.max(0, limit / 4));
        byte[] trace = cut(stackTrace, Math.max(0, limit - 12 - name.length - text.length));
        return ByteBuffer.allocate(12 + name.length + text.length + trace.length)
            .putInt(name.length).put(name).putInt(text.length).put(text).putInt(trace.length).put(trace).array();
    }

    /** {@return class name, message and stack trace of an error record} */
    private static String[] error(ByteBuffer in) {
        String[] parts = new String[3];
        for (int i = 0; i < 3; i++) {
            int length = in.remaining() >= 4 ? in.getInt() : -1;
            if (length < 0 || length > in.remaining()) {
                throw new IllegalArgumentException("corrupt error record from a worker");
            }
            byte[] bytes = new byte[length];
            in.get(bytes);
            parts[i] = new String(bytes, StandardCharsets.UTF_8);
        }
        return parts;
    }

    private static byte[] cut(String s, int limit) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= limit) {
            return bytes;
        }
        String marker = "...(cut)";
        int keep = Math.max(0, limit - marker.length());
        // Back off to a character boundary so the text stays valid UTF-8.
        while (keep > 0 && (bytes[keep] & 0xC0) == 0x80) {
            keep--;
        }
        return (new String(bytes, 0, keep, StandardCharsets.UTF_8) + (limit >= marker.length() ? marker : ""))
            .getBytes(StandardCharsets.UTF_8);
    }

    /** {@return the initializer's argument as a command-line word ({@code x} and hex digits)} */
    static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder(bytes.length * 2 + 1).append('x');
        for (byte b : bytes) {
            s.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return s.toString();
    }

    /** @throws IllegalArgumentException if {@code s} is not what {@link #hex} makes */
    static byte[] unhex(String s) {
        if (s.isEmpty() || s.charAt(0) != 'x' || s.length() % 2 != 1) {
            throw new IllegalArgumentException("not an encoded argument: " + s);
        }
        byte[] bytes = new byte[(s.length() - 1) / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(s, 1 + 2 * i, 3 + 2 * i, 16);
        }
        return bytes;
    }
}
