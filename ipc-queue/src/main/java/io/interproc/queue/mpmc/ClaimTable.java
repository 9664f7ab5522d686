package io.interproc.queue.mpmc;

import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CLAIMS;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CLAIMS_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CLAIMS_USED_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CLAIM_LENGTH;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CLAIM_OWNER;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CLAIM_POSITION;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.NO_CLAIM;

import io.interproc.core.ProcessIdentity;
import io.interproc.core.internal.memory.MemoryAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * The queue's claim table (see {@link MpmcQueueDescriptor}): one entry per thread that puts or
 * takes, naming its process and the position it is claiming. A slot that was claimed and not
 * finished is taken over only when no live process names its position: a slow peer (GC pause,
 * SIGSTOP) is waited for, never overtaken, so its late writes never land in a slot that was given
 * to someone else.
 *
 * <p>Thread-safe. An operation takes an entry of its handle for its duration; a handle keeps the
 * entries it took (as many as it ran operations at once) until {@link #close()}.
 */
final class ClaimTable {
    private final MemoryAccess memory;
    private final String what;
    private final long me = ProcessIdentity.current().stamp();
    /** Entries this handle owns and no operation uses now (guarded by this). */
    private final int[] idle = new int[CLAIMS];
    private int idleCount;
    /** Every entry this handle owns (guarded by this). */
    private final List<Integer> owned = new ArrayList<>();
    private final LongPredicate settled;

    /**
     * @param settled true for a claim (as stored in an entry) whose slot no longer waits for its
     *                claimer: a dead process's entry that names it may be reused
     */
    ClaimTable(MemoryAccess memory, String what, LongPredicate settled) {
        this.memory = memory;
        this.what = what;
        this.settled = settled;
    }

    /**
     * An entry for one operation: one this handle owns and no other operation uses, or a new one
     * from the table. A handle owns as many entries as it ever ran operations at once.
     *
     * @return the offset of the entry's Claim Position word
     * @throws IllegalStateException if the table is full of live processes' entries
     */
    synchronized long acquire() {
        int index = idleCount > 0 ? idle[--idleCount] : take();
        return CLAIMS_OFFSET + CLAIM_LENGTH * (long) index + CLAIM_POSITION;
    }

    /** Gives back an entry from {@link #acquire()}; its claim is settled (clears it). */
    synchronized void release(long claim) {
        memory.putLongRelease(claim, NO_CLAIM);
        idle[idleCount++] = (int) ((claim - CLAIM_POSITION - CLAIMS_OFFSET) / CLAIM_LENGTH);
    }

    private int take() {
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < CLAIMS; i++) {
                long at = entry(i);
                long owner = memory.getLongVolatile(at + CLAIM_OWNER);
                if (owner == 0 && memory.compareAndSetLong(at + CLAIM_OWNER, 0, me)) {
                    memory.putLongVolatile(at + CLAIM_POSITION, NO_CLAIM);
                    raiseUsed(i + 1);
                    owned.add(i);
                    return i;
                }
            }
            if (pass == 0) {
                freeDeadEntries();
            }
        }
        throw new IllegalStateException(what + " has " + CLAIMS + " operations of live processes under way or "
            + "claim entries held by open handles (its limit): close handles that are done");
    }

    /**
     * Frees the entries of dead processes whose claim is settled (none, or its slot was published,
     * skipped or reclaimed since): an entry that names an open claim stays, so that the slot is
     * still judged by its claimer's liveness.
     */
    private void freeDeadEntries() {
        int used = used();
        for (int i = 0; i < used; i++) {
            long at = entry(i);
            long owner = memory.getLongVolatile(at + CLAIM_OWNER);
            if (owner != 0 && owner != me && !ProcessIdentity.isStampAlive(owner)) {
                long claim = memory.getLongVolatile(at + CLAIM_POSITION);
                // The claim first, by compare-and-set (a slow freer must not clear a new owner's claim), then the owner.
                if ((claim == NO_CLAIM || settled.test(claim))
                    && (claim == NO_CLAIM || memory.compareAndSetLong(at + CLAIM_POSITION, claim, NO_CLAIM))) {
                    memory.compareAndSetLong(at + CLAIM_OWNER, owner, 0);
                }
            }
        }
    }

    /**
     * @param claim a position, with {@link MpmcQueueDescriptor#CONSUMER_CLAIM} for a consumer's
     * @return true if a live process's entry names {@code claim}: its owner is slow, not dead
     */
    boolean claimedByLiveProcess(long claim) {
        int used = used();
        List<Long> dead = null;
        for (int i = 0; i < used; i++) {
            long at = entry(i);
            if (memory.getLongVolatile(at + CLAIM_POSITION) != claim) {
                continue;
            }
            long owner = memory.getLongVolatile(at + CLAIM_OWNER);
            if (owner == me || (owner != 0 && (dead == null || !dead.contains(owner)) && ProcessIdentity.isStampAlive(owner))) {
                return true;
            }
            if (dead == null) {
                dead = new ArrayList<>();
            }
            dead.add(owner);
        }
        return false;
    }

    /** Gives back every entry of this handle (no operation may be under way on it). */
    synchronized void close() {
        for (int index : owned) {
            long at = entry(index);
            memory.putLongVolatile(at + CLAIM_POSITION, NO_CLAIM);
            memory.compareAndSetLong(at + CLAIM_OWNER, me, 0);
        }
        owned.clear();
        idleCount = 0;
    }

    private void raiseUsed(int used) {
        long now;
        do {
            now = memory.getLongVolatile(CLAIMS_USED_OFFSET);
        } while (now < used && !memory.compareAndSetLong(CLAIMS_USED_OFFSET, now, used));
    }

    /** Claims Used, clamped to the table: a corrupt value only makes scans longer. */
    private int used() {
        long used = memory.getLongVolatile(CLAIMS_USED_OFFSET);
        return used < 0 || used > CLAIMS ? CLAIMS : (int) used;
    }

    private static long entry(int index) {
        return CLAIMS_OFFSET + (long) index * CLAIM_LENGTH;
    }
}
