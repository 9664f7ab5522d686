package io.interproc.sync;

import io.interproc.core.MemoryAccess;
import io.interproc.core.ProcessIdentity;
import java.util.function.LongConsumer;

/**
 * What each process holds of a shared resource (semaphore permits, read holds), in a table inside
 * the resource's region, so that the holdings of a process that dies can be given back.
 *
 * <pre>
 *  entry (32 bytes): Pid (64; 0 free, -1 being claimed or freed) | Start Time (64) | Held (64) | 0 (64)
 * </pre>
 *
 * Thread-safe; an entry is claimed and freed by compare-and-set of its Pid.
 */
final class HolderTable {
    static final int ENTRY_LENGTH = 32;
    private static final int START = 8;
    private static final int HELD = 16;

    private final MemoryAccess memory;
    private final long base;
    private final int entries;
    private final ProcessIdentity me = ProcessIdentity.current();

    HolderTable(MemoryAccess memory, long base, int entries) {
        this.memory = memory;
        this.base = base;
        this.entries = entries;
    }

    /** Adds {@code amount} to this process's holding, claiming an entry if needed (ignored when the table is full). */
    void add(long amount) {
        int entry = find(true);
        if (entry >= 0) {
            memory.getAndAddLong(at(entry) + HELD, amount);
        }
    }

    /** Takes up to {@code amount} off this process's holding; @return how much it held before */
    long subtract(long amount) {
        int entry = find(false);
        if (entry < 0) {
            return 0;
        }
        long held;
        do {
            held = memory.getLongVolatile(at(entry) + HELD);
        } while (held > 0 && !memory.compareAndSetLong(at(entry) + HELD, held, Math.max(0, held - amount)));
        return held;
    }

    /** @return what this process holds */
    long held() {
        int entry = find(false);
        return entry < 0 ? 0 : memory.getLongVolatile(at(entry) + HELD);
    }

    /**
     * Frees the entries of processes that died, handing each one's holding to {@code giveBack}.
     *
     * @return the total given back
     */
    long recoverDead(LongConsumer giveBack) {
        long total = 0;
        for (int i = 0; i < entries; i++) {
            long at = at(i);
            long pid = memory.getLongVolatile(at);
            if (pid <= 0 || pid == me.pid() || new ProcessIdentity(pid, memory.getLongVolatile(at + START)).isAlive()
                || !memory.compareAndSetLong(at, pid, -1)) {
                continue; // free, ours, alive, or being recovered by someone else
            }
            long held = memory.getAndSetLong(at + HELD, 0);
            memory.putLongVolatile(at + START, 0);
            memory.putLongVolatile(at, 0);
            if (held > 0) {
                giveBack.accept(held);
                total += held;
            }
        }
        return total;
    }

    private int find(boolean claim) {
        for (int i = 0; i < entries; i++) {
            long at = at(i);
            if (memory.getLongVolatile(at) == me.pid() && memory.getLongVolatile(at + START) == me.startTime()) {
                return i;
            }
        }
        if (!claim) {
            return -1;
        }
        for (int i = 0; i < entries; i++) {
            long at = at(i);
            if (memory.getLongVolatile(at) == 0 && memory.compareAndSetLong(at, 0, -1)) {
                memory.putLongVolatile(at + HELD, 0);
                memory.putLongVolatile(at + START, me.startTime());
                memory.putLongVolatile(at, me.pid());
                return i;
            }
        }
        return -1;
    }

    private long at(int entry) {
        return base + (long) entry * ENTRY_LENGTH;
    }
}
