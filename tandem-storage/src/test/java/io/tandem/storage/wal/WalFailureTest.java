package io.tandem.storage.wal;

import static io.tandem.storage.wal.TestEntries.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalFailureTest {
    @TempDir
    Path dataDir;

    @Test
    void failedGroupCommitSyncIsFatalAndNeverReportedDurable() throws Exception {
        Wal wal = WalRecovery.open(dataDir, WalOptions.defaults(), 0, e -> { }).wal();
        DurableWaiter waiter = new DurableWaiter();
        wal.setDurableListener(waiter);
        IOException injected = new IOException("injected: EIO from fdatasync");
        wal.setForceHook(() -> {
            throw injected;
        });
        wal.append(entry(1, 1));
        wal.flush();
        assertTrue(waiter.failed.await(DurableWaiter.TIMEOUT_SECONDS, TimeUnit.SECONDS), "failure not reported");
        assertSame(injected, waiter.failure.getCause());
        assertEquals(0, wal.durableLsn());
        assertEquals(0, waiter.calls());
        // The hook no longer fails, but a retry must not happen: fsync errors are not retryable.
        wal.setForceHook(null);
        WalFailedException onFlush = assertThrows(WalFailedException.class, wal::flush);
        assertSame(injected, onFlush.getCause());
        assertThrows(WalFailedException.class, () -> wal.append(entry(1, 2)));
        assertThrows(WalFailedException.class, wal::close);
        assertEquals(0, wal.durableLsn());
        assertTrue(wal.failure().isPresent());
    }

    @Test
    void failedAlwaysSyncThrowsFromFlush() throws Exception {
        Wal wal = WalRecovery.open(dataDir, WalOptions.defaults().withFsyncPolicy(FsyncPolicy.ALWAYS), 0, e -> { })
                .wal();
        DurableWaiter waiter = new DurableWaiter();
        wal.setDurableListener(waiter);
        wal.append(entry(1, 1));
        wal.flush();
        assertEquals(1, wal.durableLsn());
        wal.setForceHook(() -> {
            throw new IOException("injected");
        });
        wal.append(entry(1, 2));
        WalFailedException e = assertThrows(WalFailedException.class, wal::flush);
        assertEquals("injected", e.getCause().getMessage());
        assertEquals(1, wal.durableLsn());
        assertEquals(0, waiter.failed.getCount());
        assertThrows(WalFailedException.class, wal::close);
    }

    @Test
    void backPressureWhileWritesAreStuck() throws Exception {
        WalOptions options = WalOptions.defaults().withMaxPendingBytes(10_000);
        Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal();
        DurableWaiter waiter = new DurableWaiter();
        wal.setDurableListener(waiter);
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        wal.setForceHook(() -> {
            inFlight.countDown();
            GroupCommitTest.await(release);
        });
        wal.append(entry(1, 1));
        wal.flush();
        assertTrue(inFlight.await(DurableWaiter.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        long lsn = 1;
        while (!wal.backPressured()) {
            wal.append(entry(1, ++lsn, "x".repeat(100)));
            wal.flush();
            assertTrue(lsn < 10_000, "never back-pressured");
        }
        assertTrue(wal.pendingBytes() > 10_000);
        assertTrue(lsn > 50, "each entry is ~150 bytes, so it takes about 70 to pass 10,000: " + lsn);
        release.countDown();
        assertTrue(waiter.awaitDurable(lsn));
        assertFalse(wal.backPressured());
        assertEquals(0, wal.pendingBytes());
        wal.setForceHook(null);
        wal.close();
    }
}
