package io.interproc.pool;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Encoding of the pool's error messages (see {@link PoolDescriptor}). */
final class Wire {
    private Wire() {
    }

    /** An error record for {@code thrown}, cut to at most {@code limit} bytes (the stack trace is cut first). */
    static byte[] error(Throwable thrown, int limit) {
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

    /** @return class name, message and stack trace of an error record */
    static String[] error(ByteBuffer in) {
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

    static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder(bytes.length * 2 + 1).append('x');
        for (byte b : bytes) {
            s.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return s.toString();
    }

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
