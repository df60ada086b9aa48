package io.tandem.storage.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Entries for tests, and a comparison (Effect records hold arrays, so Entry.equals compares identity). */
final class TestEntries {
    private TestEntries() {}

    static Entry entry(long term, long lsn) {
        return entry(term, lsn, "value-" + lsn);
    }

    static Entry entry(long term, long lsn, String value) {
        return new Entry(term, lsn, 1_700_000_000_000L + lsn, List.of(new Effect.PutString(
                ("key:" + lsn).getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8),
                Effect.NO_EXPIRY)));
    }

    static Entry bigEntry(long term, long lsn, int valueBytes) {
        byte[] value = new byte[valueBytes];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31 + lsn);
        }
        return new Entry(term, lsn, 1_700_000_000_000L + lsn,
                List.of(new Effect.PutString(("big:" + lsn).getBytes(StandardCharsets.UTF_8), value,
                        Effect.NO_EXPIRY)));
    }

    /**
     * Appends entries 1..count of one small shape (100,000 distinct keys, 16-byte values), flushing every 256
     * as a busy server's batches would; the throughput tests write their million entries this way.
     */
    static void appendSmallEntries(Wal wal, int count) throws IOException {
        byte[] value = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        for (long lsn = 1; lsn <= count; lsn++) {
            byte[] key = ("key:" + (lsn % 100_000)).getBytes(StandardCharsets.US_ASCII);
            wal.append(new Entry(1, lsn, 1_700_000_000_000L + lsn,
                    List.of(new Effect.PutString(key, value, Effect.NO_EXPIRY))));
            if (lsn % 256 == 0) {
                wal.flush();
            }
        }
    }

    static void assertSameEntry(Entry expected, Entry actual) {
        assertEquals(expected.term(), actual.term(), "term at lsn " + expected.lsn());
        assertEquals(expected.lsn(), actual.lsn(), "lsn");
        assertEquals(expected.timeMillis(), actual.timeMillis(), "time at lsn " + expected.lsn());
        assertArrayEquals(EntryCodec.encodePayload(expected), EntryCodec.encodePayload(actual),
                "payload at lsn " + expected.lsn());
    }
}
