package io.interproc.pool;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns values into the bytes a {@link Task} takes and returns, and back. The pool moves bytes
 * only and never runs Java deserialization on bytes from another process; a codec is the place
 * to put a format (strings, longs, or your own: JSON, SBE, protobuf...).
 *
 * <p>Implementations should be stateless and thread-safe. {@link #decode} must reject bytes that
 * are not a valid encoding with {@link IllegalArgumentException}.
 *
 * @param <T> the value type
 */
public interface Codec<T> {
    /** {@return the bytes of {@code value}} */
    byte[] encode(T value);

    /**
     * @return the value {@code bytes} encode
     * @throws IllegalArgumentException if they are not a valid encoding
     */
    T decode(byte[] bytes);

    /** Bytes as they are. */
    Codec<byte[]> BYTES = new Codec<>() {
        @Override
        public byte[] encode(byte[] value) {
            return value;
        }

        @Override
        public byte[] decode(byte[] bytes) {
            return bytes;
        }
    };

    /** Strings as UTF-8; malformed UTF-8 is rejected. */
    Codec<String> UTF8 = new Codec<>() {
        @Override
        public byte[] encode(String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] bytes) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("not valid UTF-8: " + bytes.length + " bytes", e);
            }
        }
    };

    /** A long as 8 bytes, big-endian; any other length is rejected. */
    Codec<Long> LONG = new Codec<>() {
        @Override
        public byte[] encode(Long value) {
            return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
        }

        @Override
        public Long decode(byte[] bytes) {
            if (bytes.length != Long.BYTES) {
                throw new IllegalArgumentException("a long takes 8 bytes, got " + bytes.length);
            }
            return ByteBuffer.wrap(bytes).getLong();
        }
    };
}
