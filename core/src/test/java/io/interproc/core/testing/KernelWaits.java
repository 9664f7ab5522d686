package io.interproc.core.testing;

import io.interproc.core.Region;
import io.interproc.core.internal.memory.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Whether a thread of a process is asleep in {@code FUTEX_WAIT} on a given address, read from
 * {@code /proc/<pid>/task/<tid>/syscall}: lets tests know a waiter really sleeps in the kernel
 * before they wake it, without guessing with sleeps.
 */
public final class KernelWaits {
    private KernelWaits() {
    }

    /** @return true if a thread of {@code pid} is in the futex syscall, FUTEX_WAIT (shared), on {@code address} */
    public static boolean sleepingOn(long pid, long address) {
        String prefix = Native.SYS_FUTEX + " 0x" + Long.toHexString(address) + " 0x0 ";
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.anyMatch(task -> {
                try {
                    return Files.readString(task.resolve("syscall")).startsWith(prefix);
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * @return true if a thread of {@code pid} is in FUTEX_WAIT on a shared (not process-private)
     *     futex: a wait word in shared memory (the JVM's own waits are process-private)
     */
    public static boolean sleepingOnSharedMemory(long pid) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.anyMatch(task -> {
                try {
                    String[] call = Files.readString(task.resolve("syscall")).split(" ");
                    return call.length > 2 && call[0].equals(Long.toString(Native.SYS_FUTEX)) && call[2].equals("0x0");
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }

    /** @return true if a thread of this process sleeps on the futex of the wait word at {@code offset} in {@code region}'s body */
    public static boolean sleepingOn(Region region, long offset) {
        return sleepingOn(ProcessHandle.current().pid(), region.body().address() + offset);
    }
}
