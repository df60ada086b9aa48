package io.tandem.storage.wal;

/**
 * The BATCH writer: waits for pending records, writes them all and fdatasyncs once, reports the durable
 * LSN, and goes round again. While one fdatasync is in flight, flushes pile up in the {@link Handoff} and
 * leave together in the next write + fdatasync: the group in group commit. On close it drains what is
 * left, syncs and exits; on a failed write or sync it stops (the failure was already recorded).
 */
final class GroupCommitThread extends Thread {
    private final Handoff handoff;
    private final LogWriter writer;

    GroupCommitThread(Handoff handoff, LogWriter writer) {
        super("tandem-wal-writer");
        setDaemon(true);
        this.handoff = handoff;
        this.writer = writer;
    }

    @Override
    public void run() {
        try {
            while (true) {
                boolean closing = handoff.awaitWork();
                writer.drain(true);
                if (closing && !handoff.hasPending()) {
                    return;
                }
            }
        } catch (WalFailedException e) {
            // Already recorded and reported by the writer; the appender sees it on its next call.
        } catch (InterruptedException e) {
            writer.fail(new java.io.InterruptedIOException("wal writer thread interrupted"));
        } catch (RuntimeException | Error e) {
            writer.fail(e);
            throw e;
        }
    }
}
