package io.interproc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.testing.NoLeftoverProcesses;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeftoverProcesses.class)
@Timeout(60)
class ProcessIdentityTest {
    @Test
    void shouldKnowThisProcess() {
        ProcessIdentity me = ProcessIdentity.current();
        assertEquals(ProcessHandle.current().pid(), me.pid());
        assertTrue(me.isAlive());
        assertEquals(me, ProcessIdentity.of(me.pid()).orElseThrow());
    }

    @Test
    void shouldNotMistakeAReusedPidForTheOriginal() {
        ProcessIdentity me = ProcessIdentity.current();
        ProcessIdentity impostor = new ProcessIdentity(me.pid(), me.startTime() + 1);
        assertFalse(impostor.isAlive(), "same pid, other start time: another process");
    }

    @Test
    void shouldSeeAKilledChildAsDead() throws Exception {
        try (ChildJvm child = ChildJvm.start(ChildJvmTest.Sleeper.class)) {
            ProcessIdentity identity = child.identity().orElseThrow();
            assertTrue(identity.isAlive());
            child.kill();
            assertTrue(child.join(Duration.ofSeconds(30)));
            assertFalse(identity.isAlive());
            assertTrue(ProcessIdentity.of(child.pid()).isEmpty() || !ProcessIdentity.of(child.pid()).get().equals(identity));
        }
    }

    @Test
    void shouldFindNoProcessForImpossiblePids() {
        assertTrue(ProcessIdentity.of(0).isEmpty());
        assertTrue(ProcessIdentity.of(-1).isEmpty());
        assertTrue(ProcessIdentity.of(Integer.MAX_VALUE).isEmpty());
    }
}
