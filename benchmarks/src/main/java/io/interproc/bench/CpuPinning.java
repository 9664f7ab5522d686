package io.interproc.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

/**
 * Optional CPU pinning for the benchmarks, set by the environment variable {@value #VARIABLE}
 * (a comma-separated list of CPU numbers, as {@code bin/bench --pin 0,1} sets it): the measuring
 * thread runs on the first CPU, the peer JVMs' working threads on the CPUs after it, round robin
 * (with {@code 0,1} two peers both take CPU 1). The measuring thread never shares its CPU with a
 * peer unless the list has one CPU: a measuring thread that takes turns with a busy peer measures
 * the scheduler's time slices as much as the channel. Environment variables reach JMH's forks and
 * the peers they launch, so one setting pins all of them. Unset, nothing is pinned.
 *
 * <p>On a small machine the scheduler now and then puts both busy threads on one CPU for a
 * whole iteration (a throughput four times lower); pinning rules that out. Linux only
 * ({@code sched_setaffinity}); elsewhere a set variable is an error, not silently ignored.
 */
final class CpuPinning {
    static final String VARIABLE = "INTERPROC_BENCH_CPUS";

    private CpuPinning() {
    }

    /** Pins the calling thread to the CPU for {@code role} (0 the measuring thread, 1.. peers), if pinning is on. */
    static void pin(int role) {
        int[] cpus = cpus(System.getenv(VARIABLE));
        if (cpus.length > 0) {
            pinTo(cpuFor(role, cpus));
        }
    }

    /** @return the CPU of {@code cpus} for {@code role}: the first for 0, the others round robin for peers */
    static int cpuFor(int role, int[] cpus) {
        if (role < 0) {
            throw new IllegalArgumentException("role must be >= 0, got " + role);
        }
        return role == 0 || cpus.length == 1 ? cpus[0] : cpus[1 + (role - 1) % (cpus.length - 1)];
    }

    /** Parses a CPU list such as {@code 0,1}; an empty or absent value means no pinning. */
    static int[] cpus(String value) {
        if (value == null || value.isBlank()) {
            return new int[0];
        }
        try {
            int[] cpus = Arrays.stream(value.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            for (int cpu : cpus) {
                if (cpu < 0 || cpu >= 1024) {
                    throw new NumberFormatException("CPU " + cpu + " out of range 0..1023");
                }
            }
            return cpus;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(VARIABLE + " must be a comma-separated list of CPU numbers, got '"
                + value + "'", e);
        }
    }

    private static void pinTo(int cpu) {
        Linker linker = Linker.nativeLinker();
        MethodHandle setAffinity = linker.defaultLookup().find("sched_setaffinity")
            .map(symbol -> linker.downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS)))
            .orElseThrow(() -> new UnsupportedOperationException(VARIABLE + " is set but this platform has no "
                + "sched_setaffinity (Linux only)"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(128, 8); // cpu_set_t: 1024 bits
            mask.set(ValueLayout.JAVA_LONG, 8L * (cpu / 64), 1L << (cpu % 64));
            int result = (int) setAffinity.invokeExact(0, 128L, mask);
            if (result != 0) {
                throw new IllegalStateException("cannot pin this thread to CPU " + cpu + " (" + VARIABLE + "); "
                    + "is it one of the CPUs this process may use?");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
