package io.interproc.queue.pipe;

import static io.interproc.queue.pipe.PipeDescriptor.CLOSED_OFFSET;
import static io.interproc.queue.pipe.PipeDescriptor.END_A_OFFSET;
import static io.interproc.queue.pipe.PipeDescriptor.END_B_OFFSET;
import static io.interproc.queue.pipe.PipeDescriptor.END_OF_STREAM_TYPE;
import static io.interproc.queue.pipe.PipeDescriptor.PID_OFFSET;
import static io.interproc.queue.pipe.PipeDescriptor.RINGS_OFFSET;
import static io.interproc.queue.pipe.PipeDescriptor.START_OFFSET;

import io.interproc.core.LivenessCheck;
import io.interproc.core.PeerDiedException;
import io.interproc.core.ProcessIdentity;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionSpec;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.queue.MessageReceiver;
import io.interproc.queue.ring.EmbeddedRings;
import io.interproc.queue.ring.SpscRing;
import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * One end of a duplex pipe between two processes, attached by name — Python's
 * {@code multiprocessing.Pipe}, between unrelated JVMs. End {@link End#A} (usually the creator)
 * and end {@link End#B} each send on their own SPSC ring and receive on the other's.
 *
 * <p><b>End of stream.</b> When the other end {@link #close() closes} or its process dies, this end
 * first receives everything sent before, then sees the end of the stream: {@link #receive} returns
 * {@link #END_OF_STREAM} and {@link #receiveBytes} throws {@link EOFException}; {@link #send}
 * throws {@link IllegalStateException} ("broken pipe"). A death is noticed within one wait slice.
 *
 * <p><b>Threads.</b> One thread sends and one thread receives on each end (they may differ). Using
 * an end after {@link #close()} throws {@link IllegalStateException} naming the pipe and end.
 * Blocking calls sleep in the kernel and are woken by the other end's next send or receive.
 */
public final class Pipe implements AutoCloseable {
    /** The two ends of a pipe. */
    public enum End {
        /** The end {@link Pipe#create} attaches as. */
        A,
        /** The other end. */
        B;

        End other() {
            return this == A ? B : A;
        }
    }

    /** {@link #receive} result: a message was handed to the handler. */
    public static final int RECEIVED = 1;
    /** {@link #receive} result: the timeout passed with nothing to receive. */
    public static final int TIMED_OUT = 0;
    /** {@link #receive} result: the other end closed or died and everything it sent was received. */
    public static final int END_OF_STREAM = -1;

    private final Region region;
    private final End end;
    private final MemoryAccess memory;
    private final SpscRing out;
    private final SpscRing in;
    private final long mine;
    private final long theirs;
    private boolean endOfStream;
    private final LivenessCheck otherEndAlive = this::checkOtherEnd;

    private Pipe(Region region, End end) {
        this.region = region;
        this.end = end;
        this.memory = region.memory();
        int capacity = (int) region.parameter(0);
        int max = (int) region.parameter(1);
        long ringLength = EmbeddedRings.footprint(capacity);
        String name = "pipe '" + region.name() + "'";
        SpscRing aToB = EmbeddedRings.embedded(region, RINGS_OFFSET, capacity, max, name + " (A to B)");
        SpscRing bToA = EmbeddedRings.embedded(region, RINGS_OFFSET + ringLength, capacity, max, name + " (B to A)");
        this.out = end == End.A ? aToB : bToA;
        this.in = end == End.A ? bToA : aToB;
        this.mine = end == End.A ? END_A_OFFSET : END_B_OFFSET;
        this.theirs = end == End.A ? END_B_OFFSET : END_A_OFFSET;
        attach();
    }

    /**
     * Creates the pipe and attaches as end A.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @param capacity capacity, a power of two
     * @param maxMessageLength longest message
     * @return a handle on it
     */
    public static Pipe create(RegionDirectory directory, String name, int capacity, int maxMessageLength) {
        return directory.create(name, spec(capacity, maxMessageLength), r -> { }).as(r -> new Pipe(r, End.A));
    }

    /**
     * Attaches to an existing pipe as {@code end}.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @param end which end to attach as
     * @return a handle on it
     */
    public static Pipe open(RegionDirectory directory, String name, End end) {
        return directory.open(name, PipeDescriptor.TYPE).as(r -> new Pipe(r, end));
    }

    private static RegionSpec spec(int capacity, int maxMessageLength) {
        EmbeddedRings.checkSizes(capacity, maxMessageLength);
        return new RegionSpec(PipeDescriptor.TYPE, RINGS_OFFSET + 2 * EmbeddedRings.footprint(capacity), capacity, maxMessageLength);
    }

    private void attach() {
        ProcessIdentity me = ProcessIdentity.current();
        long pid = memory.getLongVolatile(mine + PID_OFFSET);
        long start = memory.getLongVolatile(mine + START_OFFSET);
        if (pid != 0 && (pid != me.pid() || start != me.startTime()) && region.peer("end " + end + " pid", pid, start).isAlive()
            && memory.getLongVolatile(mine + CLOSED_OFFSET) == 0) {
            throw new IllegalStateException("end " + end + " of pipe '" + region.name() + "' is already attached by pid " + pid);
        }
        memory.putLongVolatile(mine + CLOSED_OFFSET, 0);
        memory.putLongVolatile(mine + START_OFFSET, me.startTime());
        memory.putLongVolatile(mine + PID_OFFSET, me.pid());
    }

    /** {@return the longest message either direction carries} */
    public int maxMessageLength() {
        return out.maxMessageLength();
    }

    /** {@return which end this is} */
    public End end() {
        return end;
    }

    /**
     * Sets how blocking calls wait (both directions); returns this.
     *
     * @param strategy how to wait
     * @return this handle
     */
    public Pipe waitStrategy(WaitStrategy strategy) {
        out.waitStrategy(strategy);
        in.waitStrategy(strategy);
        return this;
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends {@code message}, waiting while the pipe is full.
     *
     * @param message the message
     * @throws InterruptedException if interrupted while waiting
     */
    public void send(byte[] message) throws InterruptedException {
        send(MemorySegment.ofArray(message), Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /**
     * Sends {@code message}, waiting at most {@code timeout} while the pipe is full.
     *
     * @param message the message
     * @param timeout longest wait
     * @param unit unit of {@code timeout}
     * @return true if sent, false on timeout
     * @throws IllegalStateException    if the other end closed or died (broken pipe)
     * @throws IllegalArgumentException if longer than the pipe's maximum message length
     * @throws InterruptedException     if interrupted while waiting
     */
    public boolean send(MemorySegment message, long timeout, TimeUnit unit) throws InterruptedException {
        checkOpen();
        try {
            checkOtherEnd();
            return out.put(0, message, timeout, unit, otherEndAlive);
        } catch (PeerDiedException | OtherEndGone e) {
            throw brokenPipe();
        }
    }

    private IllegalStateException brokenPipe() {
        return new IllegalStateException("broken pipe: the other end (" + end.other() + ") of pipe '" + region.name()
            + "' is closed or its process died");
    }

    // ------------------------------------------------------------------ receiving

    /**
     * Receives one message, zero-copy, waiting at most {@code timeout}.
     *
     * @param handler gets each message, zero-copy, on this thread
     * @param timeout longest wait
     * @param unit unit of {@code timeout}
     * @return {@link #RECEIVED}, {@link #TIMED_OUT} or {@link #END_OF_STREAM}
     * @throws InterruptedException if interrupted while waiting
     */
    public int receive(MessageReceiver handler, long timeout, TimeUnit unit) throws InterruptedException {
        checkOpen();
        if (endOfStream) {
            return END_OF_STREAM;
        }
        boolean[] eos = {false};
        MessageReceiver filter = (type, buffer, offset, length) -> {
            if (type == END_OF_STREAM_TYPE) {
                eos[0] = true;
            } else {
                handler.onMessage(type, buffer, offset, length);
            }
        };
        try {
            if (!in.take(filter, timeout, unit, otherEndAlive)) {
                return TIMED_OUT;
            }
        } catch (PeerDiedException | OtherEndGone e) {
            // The other end is gone: deliver what it sent before, then the end of the stream.
            if (in.read(filter, 1) == 1 && !eos[0]) {
                return RECEIVED;
            }
            eos[0] = true;
        }
        if (eos[0]) {
            endOfStream = true;
            return END_OF_STREAM;
        }
        return RECEIVED;
    }

    /**
     * Receives one message as a new array.
     *
     * @param timeout longest wait
     * @param unit unit of {@code timeout}
     * @return the message, or null if {@code timeout} passed first
     * @throws EOFException         once the other end closed or died and everything it sent was received
     * @throws InterruptedException if interrupted while waiting
     */
    public byte[] receiveBytes(long timeout, TimeUnit unit) throws InterruptedException, EOFException {
        byte[][] got = new byte[1][];
        int result = receive((type, buffer, offset, length) ->
            got[0] = buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), timeout, unit);
        if (result == END_OF_STREAM) {
            throw new EOFException("end of stream: the other end (" + end.other() + ") of pipe '" + region.name()
                + "' is closed or its process died");
        }
        return got[0];
    }

    /**
     * Waits at most {@code timeout} until a message can be received, or the stream has ended
     * (then {@link #receive} returns at once): Python's {@code Connection.poll}.
     *
     * @param timeout longest wait
     * @param unit unit of {@code timeout}
     * @return true if {@link #receive} would not wait
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean poll(long timeout, TimeUnit unit) throws InterruptedException {
        checkOpen();
        if (endOfStream || !in.isEmpty()) {
            return true;
        }
        try {
            return in.awaitReadable(timeout, unit, otherEndAlive) || otherEndGone();
        } catch (PeerDiedException | OtherEndGone e) {
            return true;
        }
    }

    private boolean otherEndGone() {
        if (memory.getLongVolatile(theirs + CLOSED_OFFSET) != 0) {
            return true;
        }
        long pid = memory.getLongVolatile(theirs + PID_OFFSET);
        return pid != 0 && !region.peer("other end's pid", pid, memory.getLongVolatile(theirs + START_OFFSET)).isAlive();
    }

    private void checkOpen() {
        if (region.isClosed()) {
            throw new IllegalStateException("end " + end + " of pipe '" + region.name() + "' is closed");
        }
    }

    private void checkOtherEnd() {
        if (otherEndGone()) {
            throw new OtherEndGone();
        }
    }

    /** Thrown inside waits when the other end is gone; turned into end-of-stream or broken pipe. */
    private static final class OtherEndGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OtherEndGone() {
            super(null, null, false, false);
        }
    }

    /**
     * Closes this end: the other end receives everything sent so far, then the end of the stream.
     * If the pipe is full this waits up to one second for room for the end-of-stream mark; the
     * other end then still sees the closed flag once it has read the rest. Idempotent.
     */
    @Override
    public void close() {
        if (region.isClosed()) {
            return;
        }
        try {
            if (!otherEndGone()) {
                out.put(END_OF_STREAM_TYPE, MemorySegment.ofArray(new byte[0]), 1, TimeUnit.SECONDS, otherEndAlive);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException ignored) {
            // the other end is gone or the pipe is full: the closed word below still tells it
        }
        memory.putLongVolatile(mine + CLOSED_OFFSET, 1);
        region.close();
    }

    @Override
    public String toString() {
        return "Pipe[" + region.name() + ", end " + end + "]";
    }
}
