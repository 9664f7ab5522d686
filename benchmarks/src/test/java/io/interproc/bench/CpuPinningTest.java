package io.interproc.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuPinningTest {
    @Test
    void shouldKeepTheMeasuringThreadsCpuToItselfWhenTheListHasMore() {
        int[] two = {0, 1};
        assertEquals(0, CpuPinning.cpuFor(0, two));
        for (int role = 1; role <= 8; role++) {
            assertEquals(1, CpuPinning.cpuFor(role, two), "peer role " + role);
        }
        int[] three = {2, 5, 7};
        assertEquals(2, CpuPinning.cpuFor(0, three));
        assertEquals(5, CpuPinning.cpuFor(1, three));
        assertEquals(7, CpuPinning.cpuFor(2, three));
        assertEquals(5, CpuPinning.cpuFor(3, three));
    }

    @Test
    void shouldPutEveryoneOnTheOnlyCpuOfAOneCpuList() {
        int[] one = {3};
        for (int role = 0; role <= 3; role++) {
            assertEquals(3, CpuPinning.cpuFor(role, one));
        }
    }

    @Test
    void shouldParseTheListAndNameWhatIsWrongWithABadOne() {
        assertArrayEquals(new int[] {0, 1}, CpuPinning.cpus(" 0, 1 "));
        assertEquals(0, CpuPinning.cpus(null).length);
        assertEquals(0, CpuPinning.cpus("").length);
        IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class, () -> CpuPinning.cpus("0,x"));
        assertTrue(notANumber.getMessage().contains("'0,x'"), notANumber.getMessage());
        IllegalArgumentException outOfRange = assertThrows(IllegalArgumentException.class, () -> CpuPinning.cpus("1024"));
        assertTrue(outOfRange.getMessage().contains(CpuPinning.VARIABLE), outOfRange.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuPinning.cpuFor(-1, new int[] {0}));
    }
}
