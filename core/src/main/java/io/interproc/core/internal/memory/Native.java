package io.interproc.core.internal.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The few libc calls interproc makes, through FFM downcalls: {@code syscall} (for futex),
 * {@code open}, {@code close} and {@code posix_fallocate}. Linux only; {@link #AVAILABLE} is
 * false elsewhere or when a symbol is missing, and callers take their portable fallback.
 */
public final class Native {
    public static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");

    /** {@code SYS_futex}: 202 on x86-64, 98 on aarch64 (the generic table); -1 elsewhere. */
    public static final long SYS_FUTEX = switch (System.getProperty("os.arch", "")) {
        case "amd64", "x86_64" -> 202;
        case "aarch64", "arm64" -> 98;
        default -> -1;
    };

    /** {@code SYS_membarrier}: 324 on x86-64, 283 on aarch64; -1 elsewhere. */
    public static final long SYS_MEMBARRIER = switch (System.getProperty("os.arch", "")) {
        case "amd64", "x86_64" -> 324;
        case "aarch64", "arm64" -> 283;
        default -> -1;
    };

    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int ENOSPC = 28;
    public static final int EFBIG = 27;
    public static final int ETIMEDOUT = 110;

    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_CLOEXEC = 02000000;
    /** {@code O_NOFOLLOW}: 0400000 on x86-64, 0100000 on aarch64 (the generic value). */
    private static final int O_NOFOLLOW = switch (System.getProperty("os.arch", "")) {
        case "aarch64", "arm64" -> 0100000;
        default -> 0400000;
    };

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
        CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    public static final boolean AVAILABLE;
    private static final MethodHandle SYSCALL6;
    private static final MethodHandle SYSCALL3;
    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle POSIX_FALLOCATE;

    static {
        MethodHandle syscall = null;
        MethodHandle syscall3 = null;
        MethodHandle open = null;
        MethodHandle close = null;
        MethodHandle fallocate = null;
        if (LINUX) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                Linker.Option errno = Linker.Option.captureCallState("errno");
                // long syscall(long number, ...): every variadic argument passed as a 64-bit word.
                syscall = linker.downcallHandle(libc.findOrThrow("syscall"),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                    Linker.Option.firstVariadicArg(1), errno);
                syscall3 = linker.downcallHandle(libc.findOrThrow("syscall"),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                    Linker.Option.firstVariadicArg(1), errno);
                // int open(const char *path, int flags, ...)
                open = linker.downcallHandle(libc.findOrThrow("open"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT),
                    Linker.Option.firstVariadicArg(2), errno);
                close = linker.downcallHandle(libc.findOrThrow("close"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                // int posix_fallocate(int fd, off_t offset, off_t len): returns the error number.
                fallocate = linker.downcallHandle(libc.findOrThrow("posix_fallocate"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG));
            } catch (RuntimeException | LinkageError e) {
                syscall = null;
            }
        }
        AVAILABLE = syscall != null && SYS_FUTEX > 0;
        SYSCALL6 = syscall;
        SYSCALL3 = syscall3;
        OPEN = open;
        CLOSE = close;
        POSIX_FALLOCATE = fallocate;
    }

    /**
     * Runs both futex operations once on a private word (a wait that returns at once, a wake of
     * nobody) and a membarrier query: the first call of a downcall handle links it, a few
     * milliseconds of CPU that would otherwise land on the first blocking wait and the first
     * wake-up of the process.
     */
    private static void linkFutexNow() {
        try {
            Scratch scratch = new Scratch();
            MemorySegment word = Arena.ofAuto().allocate(4, 4);
            word.set(ValueLayout.JAVA_INT, 0, 1);
            futex(scratch, word, 0 /* FUTEX_WAIT: the word is not 0, so EAGAIN */, 0, scratch.timespec);
            futex(scratch, word, 1 /* FUTEX_WAKE */, 1, MemorySegment.NULL);
            if (SYS_MEMBARRIER > 0) {
                syscall3(SYS_MEMBARRIER, 0 /* MEMBARRIER_CMD_QUERY */, 0, 0);
            }
        } catch (RuntimeException e) {
            // Linking is retried by the first real call, which reports any error.
        }
    }

    /** Per-thread scratch memory for call state (errno) and a timespec, reused across calls. */
    public static final class Scratch {
        final MemorySegment callState;
        final MemorySegment timespec;

        private Scratch() {
            Arena arena = Arena.ofAuto();
            callState = arena.allocate(CALL_STATE);
            timespec = arena.allocate(16, 8);
        }

        int errno() {
            return (int) ERRNO.get(callState, 0L);
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static {
        if (AVAILABLE) {
            linkFutexNow(); // after SCRATCH: static initialisers run in order
        }
    }

    public static Scratch scratch() {
        return SCRATCH.get();
    }

    private Native() {
    }

    /** Raw {@code syscall(SYS_futex, uaddr, op, val, timeout, NULL, 0)}; errno is left in {@code scratch}. */
    public static long futex(Scratch scratch, MemorySegment word, long op, long val, MemorySegment timeout) {
        try {
            return (long) SYSCALL6.invokeExact(scratch.callState, SYS_FUTEX, word, op, val, timeout,
                MemorySegment.NULL, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("futex downcall failed", t);
        }
    }

    /** {@code syscall(number, a, b, c)}; returns the result, or -errno on failure. */
    public static long syscall3(long number, long a, long b, long c) {
        if (SYSCALL3 == null || number < 0) {
            return -38; // ENOSYS
        }
        Scratch scratch = scratch();
        try {
            long rc = (long) SYSCALL3.invokeExact(scratch.callState, number, a, b, c);
            return rc < 0 ? -scratch.errno() : rc;
        } catch (Throwable t) {
            throw new IllegalStateException("syscall downcall failed", t);
        }
    }

    /**
     * Creates the file at {@code path} with {@code open(O_CREAT | O_EXCL | O_NOFOLLOW | O_RDWR)}:
     * it fails if anything — a symbolic link included — is at that name, so the file is new and ours.
     *
     * @return the file descriptor, or minus the error number
     */
    public static int createExclusive(String path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            Scratch scratch = scratch();
            int fd = (int) OPEN.invokeExact(scratch.callState, arena.allocateFrom(path),
                O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
            return fd < 0 ? -scratch.errno() : fd;
        } catch (Throwable t) {
            throw new IllegalStateException("open downcall failed", t);
        }
    }

    /** {@code posix_fallocate(fd, 0, length)}: @return 0, or the error number */
    public static int posixFallocate(int fd, long length) {
        try {
            return (int) POSIX_FALLOCATE.invokeExact(fd, 0L, length);
        } catch (Throwable t) {
            throw new IllegalStateException("posix_fallocate downcall failed", t);
        }
    }

    /** Closes a descriptor from {@link #createExclusive}. */
    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close downcall failed", t);
        }
    }

    /** @return a short description of a Linux error number */
    public static String errnoName(int errno) {
        return switch (errno) {
            case EINTR -> "EINTR";
            case EAGAIN -> "EAGAIN";
            case ENOSPC -> "ENOSPC (no space left on device)";
            case EFBIG -> "EFBIG (file too large)";
            case ETIMEDOUT -> "ETIMEDOUT";
            case 22 -> "EINVAL (invalid argument)";
            case 13 -> "EACCES (permission denied)";
            case 95 -> "EOPNOTSUPP";
            case 17 -> "EEXIST (something is already at that name)";
            case 40 -> "ELOOP (a symbolic link is at that name)";
            default -> "errno " + errno;
        };
    }
}
