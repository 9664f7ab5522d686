package io.interproc.sync;

import io.interproc.core.ProcessIdentity;
import io.interproc.core.internal.memory.MemoryAccess;

/**
 * What each process holds of a shared resource (read holds, semaphore permits), one slot per
 * process inside the resource's region. The slots are the truth, not a copy of it: the amount held
 * in all is the sum of the slots, so there is no second word that a kill between two stores could
 * leave out of step, and the holdings of a process that dies disappear with one compare-and-set on
 * its slot's owner word.
 *
 * <pre>
 *  table offset
 *     0  +---------------------------------------------------------------+
 *        |  Slots Used (64): 1 + the highest slot ever claimed            |
 *    64  +---------------------------------------------------------------+
 *        |  Slot 0: Owner Stamp (64; 0 free) | Held (64)                  |
 *    80  |  Slot 1 ...                                                  ...
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * Owner Stamp is a {@link ProcessIdentity#stamp()}. A process claims a slot by compare-and-set of
 * Owner Stamp from 0 to its stamp and then clears Held (a dead owner's last count stays there until
 * then, and counts while the slot is owned, which errs on the side of holding); only the owner
 * changes Held afterwards. A slot whose owner is dead is freed by compare-and-set of Owner Stamp
 * from that stamp to 0: a stamp names one process for ever, so a late compare-and-set by a slow
 * recoverer cannot free a slot that a live process claimed since. Free slots are not counted.
 *
 * <p>Thread-safe. Slots are claimed on first use and kept for the life of the process.
 */
final class ProcessSlots {
    static final int SLOTS_USED = 0;
    static final int FIRST_SLOT = 64;
    static final int SLOT_LENGTH = 16;
    static final int HELD = 8;

    private final MemoryAccess memory;
    private final long base;
    private final int slots;
    private final String what;
    private final long me = ProcessIdentity.current().stamp();
    private volatile int mine = -1;

    /**
     * @param what names the resource in exceptions, e.g. "read-write lock 'x'"
     */
    ProcessSlots(MemoryAccess memory, long base, int slots, String what) {
        this.memory = memory;
        this.base = base;
        this.slots = slots;
        this.what = what;
    }

    /** {@return bytes a table of {@code slots} slots takes} */
    static int length(int slots) {
        return FIRST_SLOT + slots * SLOT_LENGTH;
    }

    /**
     * Adds {@code delta} to this process's slot (claiming one on first use; a full table is first
     * cleared of dead owners).
     *
     * @return this process's holding after the change
     * @throws IllegalStateException if every slot belongs to a live process
     */
    long addMine(long delta) {
        return memory.getAndAddLong(slot(mySlot()) + HELD, delta) + delta;
    }

    /**
     * Takes {@code amount} off this process's slot if it holds that much.
     *
     * @return false (and no change) if it holds less
     */
    boolean takeFromMine(long amount) {
        int slot = mine;
        if (slot < 0 && (slot = find()) < 0) {
            return amount == 0;
        }
        long at = slot(slot) + HELD;
        long held;
        do {
            held = memory.getLongVolatile(at);
            if (held < amount) {
                return false;
            }
        } while (!memory.compareAndSetLong(at, held, held - amount));
        return true;
    }

    /** {@return what this process holds} */
    long heldByMe() {
        int slot = mine;
        if (slot < 0) {
            slot = find();
        }
        return slot < 0 ? 0 : memory.getLongVolatile(slot(slot) + HELD);
    }

    /** {@return the sum of all owned slots (volatile reads), this process's included} */
    long total() {
        long total = 0;
        int used = used();
        for (int i = 0; i < used; i++) {
            long at = slot(i);
            if (memory.getLongVolatile(at) != 0) {
                total += memory.getLongVolatile(at + HELD);
            }
        }
        return total;
    }

    /**
     * Frees the slots of owners that died.
     *
     * @return what the freed slots held, in all
     */
    long recoverDead() {
        return recoverDead(used());
    }

    /** Frees dead owners' slots among the first {@code count}; @return what they held */
    private long recoverDead(int count) {
        long recovered = 0;
        for (int i = 0; i < count; i++) {
            long at = slot(i);
            long owner = memory.getLongVolatile(at);
            if (owner == 0 || owner == me || ProcessIdentity.isStampAlive(owner)) {
                continue;
            }
            long held = memory.getLongVolatile(at + HELD); // a dead owner's count no longer moves
            if (memory.compareAndSetLong(at, owner, 0) && held > 0) {
                recovered += held;
            }
        }
        return recovered;
    }

    /** {@return true if some slot other than this process's holds something and its owner is dead} */
    boolean anyDeadHolder() {
        int used = used();
        for (int i = 0; i < used; i++) {
            long at = slot(i);
            long owner = memory.getLongVolatile(at);
            if (owner != 0 && owner != me && memory.getLongVolatile(at + HELD) != 0
                && !ProcessIdentity.isStampAlive(owner)) {
                return true;
            }
        }
        return false;
    }

    private int mySlot() {
        int slot = mine;
        return slot >= 0 ? slot : claim();
    }

    private synchronized int claim() {
        if (mine >= 0) {
            return mine;
        }
        int found = find();
        for (int attempt = 0; found < 0 && attempt < 2; attempt++) {
            for (int i = 0; i < slots && found < 0; i++) {
                long at = slot(i);
                if (memory.getLongVolatile(at) == 0 && memory.compareAndSetLong(at, 0, me)) {
                    memory.putLongVolatile(at + HELD, 0);
                    raiseUsed(i + 1);
                    found = i;
                }
            }
            if (found < 0) {
                recoverDead(slots); // the whole table: a claimer may have died before raising Slots Used
            }
        }
        if (found < 0) {
            throw new IllegalStateException(what + " is used by more than " + slots
                + " live processes at once (its limit); no slot is free for pid " + ProcessIdentity.current().pid());
        }
        mine = found;
        return found;
    }

    private int find() {
        int used = used();
        for (int i = 0; i < used; i++) {
            if (memory.getLongVolatile(slot(i)) == me) {
                return i;
            }
        }
        return -1;
    }

    private void raiseUsed(int used) {
        long now;
        do {
            now = memory.getLongVolatile(base + SLOTS_USED);
        } while (now < used && !memory.compareAndSetLong(base + SLOTS_USED, now, used));
    }

    /** Slots Used, clamped to the table (a corrupt value can only make scans longer, never out of bounds). */
    private int used() {
        long used = memory.getLongVolatile(base + SLOTS_USED);
        return used < 0 || used > slots ? slots : (int) used;
    }

    private long slot(int index) {
        return base + FIRST_SLOT + (long) index * SLOT_LENGTH;
    }
}
