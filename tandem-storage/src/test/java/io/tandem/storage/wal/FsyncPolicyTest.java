package io.tandem.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FsyncPolicyTest {

    @ParameterizedTest
    @CsvSource({"always, ALWAYS", "BATCH, BATCH", " everysec , EVERYSEC", "Never, NEVER"})
    void parsesIgnoringCaseAndBlanks(String text, FsyncPolicy expected) {
        assertEquals(expected, FsyncPolicy.parse(text));
    }

    @Test
    void unknownValueNamesTheAllowedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FsyncPolicy.parse("sometimes"));
        assertTrue(e.getMessage().contains("'sometimes'"), e.getMessage());
        assertTrue(e.getMessage().contains("always, batch, everysec, never"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FsyncPolicy.parse(null));
    }

    @Test
    void optionsDefaultToBatchAndRejectBadValuesByKey() {
        assertEquals(FsyncPolicy.BATCH, WalOptions.defaults().fsyncPolicy());
        assertEquals(64L << 20, WalOptions.defaults().segmentBytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WalOptions.defaults().withSegmentBytes(10));
        assertTrue(e.getMessage().contains("wal.segmentBytes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WalOptions.defaults().withMaxPendingBytes(0));
        assertTrue(e.getMessage().contains("wal.maxPendingBytes"), e.getMessage());
    }
}
