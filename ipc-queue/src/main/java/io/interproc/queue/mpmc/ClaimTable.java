package io.interproc.queue.mpmc;

import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CLAIMS_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CLAIMS;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CLAIM_LENGTH;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CLAIM_OWNER;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CLAIM_POSITION;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CLAIMS_USED_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.NO_CLAIM;

import io.interproc.core.MemoryAccess;
import io.interproc.core.ProcessIdentity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * The queue's claim table (see {@link MpmcQueueDescriptor}): one entry per thread that puts or
 * takes, naming its process and the position it is claiming. A slot that was claimed and not
 * finished is taken over only when no live process names its position: a slow peer (GC pause,
 * SIGSTOP) is waited for, never overtaken, so its late writes never land in a slot that was given
 * to someone else.
 *
 * <p>Thread-safe. A thread keeps its entry for the life of the handle; entries of threads that
 * ended are reused by the handle, and all of them are given back by {@link #release()}.
 */
final class ClaimTable {
    private final MemoryAccess memory;
    private final String what;
    private final long me = ProcessIdentity.current().stamp();
    private final Map<Thread, Integer> mine = new HashMap<>();
    private final ThreadLocal<long[]> entry = new ThreadLocal<>();
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

    /** @return the offset of the calling thread's Claim Position word */
    long myClaim() {
        long[] cached = entry.get();
        if (cached != null) {
            return cached[0];
        }
        long offset = CLAIMS_OFFSET + CLAIM_LENGTH * (long) take(Thread.currentThread()) + CLAIM_POSITION;
        entry.set(new long[] {offset});
        return offset;
    }

    private synchronized int take(Thread thread) {
        for (Map.Entry<Thread, Integer> e : mine.entrySet()) {
            if (!e.getKey().isAlive()) {
                int index = e.getValue();
                mine.remove(e.getKey());
                mine.put(thread, index);
                return index;
            }
        }
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < CLAIMS; i++) {
                long at = entry(i);
                long owner = memory.getLongVolatile(at + CLAIM_OWNER);
                if (owner == 0 && memory.compareAndSetLong(at + CLAIM_OWNER, 0, me)) {
                    memory.putLongVolatile(at + CLAIM_POSITION, NO_CLAIM);
                    raiseUsed(i + 1);
                    mine.put(thread, i);
                    return i;
                }
            }
            if (pass == 0) {
                freeDeadEntries();
            }
        }
        throw new IllegalStateException(what + " has " + CLAIMS + " threads of live processes putting or taking "
            + "already (its limit): close handles that are done, or use fewer threads");
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

    /** Gives back every entry of this handle (it must not be in use by another thread). */
    synchronized void release() {
        for (int index : mine.values()) {
            long at = entry(index);
            memory.putLongVolatile(at + CLAIM_POSITION, NO_CLAIM);
            memory.compareAndSetLong(at + CLAIM_OWNER, me, 0);
        }
        mine.clear();
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
