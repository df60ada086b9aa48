package io.tandem.server.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.storage.wal.Wal;
import io.tandem.storage.wal.WalOptions;
import io.tandem.storage.wal.WalRecovery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bytes a replica is behind, as monitoring and lag alerts read them from the leader's log view. */
class WalLogViewTest {
    @TempDir
    Path dataDir;

    private static Entry entry(long lsn, int valueBytes) {
        byte[] value = "x".repeat(valueBytes).getBytes(StandardCharsets.UTF_8);
        return new Entry(1, lsn, 1_000, List.of(new Effect.PutString(("k" + lsn).getBytes(StandardCharsets.UTF_8), value,
                Effect.NO_EXPIRY)));
    }

    @Test
    void bytesAfterAnLsnAreExactWithinTheTailAndEstimatedBeforeIt() throws Exception {
        try (Wal wal = WalRecovery.open(dataDir, WalOptions.defaults(), 0, e -> { }).wal()) {
            WalLogView view = new WalLogView(wal, 100);
            assertEquals(0, view.bytesAfter(0), "an empty log");
            long total = 0;
            long afterThree = 0;
            for (long lsn = 1; lsn <= 10; lsn++) {
                Entry entry = entry(lsn, (int) lsn * 10);
                wal.append(entry);
                view.appended(entry);
                total += EntryCodec.payloadSize(entry);
                if (lsn > 3) {
                    afterThree += EntryCodec.payloadSize(entry);
                }
            }
            assertEquals(total, view.bytesAfter(0));
            assertEquals(afterThree, view.bytesAfter(3));
            assertEquals(0, view.bytesAfter(10), "caught up");
            assertEquals(0, view.bytesAfter(12), "beyond the end");
            view.truncatedAfter(8);
            assertEquals(afterThree - EntryCodec.payloadSize(entry(9, 90)) - EntryCodec.payloadSize(entry(10, 100)),
                    view.bytesAfter(3), "a truncated tail no longer counts");
        }
    }

    @Test
    void withNothingAppendedSinceStartTheRecoveredAverageEstimates() throws Exception {
        try (Wal wal = WalRecovery.open(dataDir, WalOptions.defaults(), 0, e -> { }).wal()) {
            for (long lsn = 1; lsn <= 4; lsn++) {
                wal.append(entry(lsn, 10));
            }
            WalLogView view = new WalLogView(wal, 100); // as if recovery had found these 4 entries
            assertEquals(300, view.bytesAfter(1), "three entries at the recovered average of 100 bytes");
        }
    }
}
