package io.tandem.storage.wal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The EVERYSEC syncer: once per interval, fdatasyncs what the appender wrote, then writes whatever the
 * appender left pending because the sync held the lock. An OS crash loses at most about an interval.
 */
final class EverysecSyncThread extends Thread {
    private final LogWriter writer;
    private final long intervalMillis;
    private final CountDownLatch stop = new CountDownLatch(1);

    EverysecSyncThread(LogWriter writer, long intervalMillis) {
        super("tandem-wal-everysec");
        setDaemon(true);
        this.writer = writer;
        this.intervalMillis = intervalMillis;
    }

    @Override
    public void run() {
        try {
            // The timed wait is the policy's clock, not a wait for another thread's progress.
            while (!stop.await(intervalMillis, TimeUnit.MILLISECONDS)) {
                writer.syncThenDrain();
            }
        } catch (WalFailedException e) {
            // Already recorded and reported by the writer.
        } catch (InterruptedException e) {
            writer.fail(new java.io.InterruptedIOException("wal sync thread interrupted"));
        } catch (RuntimeException | Error e) {
            writer.fail(e);
            throw e;
        }
    }

    void shutdown() {
        stop.countDown();
    }
}
