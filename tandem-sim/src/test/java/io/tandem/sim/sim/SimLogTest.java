package io.tandem.sim.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The LogView contract on the simulated log: LSNs from 1, term(0) = 0, batches bounded by payload bytes. */
class SimLogTest {

    static Entry entry(long term, long lsn, String value) {
        return new Entry(term, lsn, 1000 + lsn, List.of(new Effect.PutString("k".getBytes(StandardCharsets.US_ASCII),
                value.getBytes(StandardCharsets.US_ASCII), Effect.NO_EXPIRY)));
    }

    @Test
    void emptyLog() {
        SimLog log = new SimLog();
        assertEquals(1, log.firstLsn());
        assertEquals(0, log.lastLsn());
        assertEquals(0, log.term(0));
        assertEquals(-1, log.term(1));
        assertEquals(List.of(), log.entries(1, 1000));
    }

    @Test
    void batchesStopBeforeMaxBytesButHoldAtLeastOneEntry() {
        SimLog log = new SimLog();
        for (int lsn = 1; lsn <= 5; lsn++) {
            log.append(entry(1, lsn, "x".repeat(40)));
        }
        int size = EntryCodec.payloadSize(log.get(1));
        assertEquals(1, log.entries(2, 1).size(), "at least one entry, even over maxBytes");
        assertEquals(2, log.entries(2, 2L * size + size - 1).size());
        assertEquals(3, log.entries(2, 3L * size).size());
        assertEquals(4, log.entries(2, 1 << 20).size(), "up to the end of the log");
        assertEquals(List.of(), log.entries(6, 1 << 20));
    }

    @Test
    void truncateAndAppendMustFollow() {
        SimLog log = new SimLog();
        log.append(entry(1, 1, "a"));
        log.append(entry(1, 2, "b"));
        log.append(entry(2, 3, "c"));
        assertEquals(2, log.term(3));
        log.truncateAfter(1);
        assertEquals(1, log.lastLsn());
        assertEquals(-1, log.term(2));
        assertThrows(IllegalStateException.class, () -> log.append(entry(3, 3, "gap")));
        log.append(entry(3, 2, "d"));
        assertEquals(3, log.term(2));
    }

    @Test
    void compactionHidesThePrefixFromTheCoreButNotFromTheCheckers() {
        SimLog log = new SimLog();
        for (int lsn = 1; lsn <= 6; lsn++) {
            log.append(entry(lsn <= 3 ? 1 : 2, lsn, "v" + lsn));
        }
        log.compactUpTo(4);
        assertEquals(5, log.firstLsn());
        assertEquals(6, log.lastLsn());
        assertEquals(2, log.term(4), "the term of the entry the log starts after");
        assertEquals(-1, log.term(3), "compacted");
        assertEquals(List.of(), log.entries(3, 1000), "the core cannot read a compacted entry");
        assertEquals(5, log.entries(5, 1000).get(0).lsn());
        assertEquals(EntryCodec.payloadSize(log.get(5)) + EntryCodec.payloadSize(log.get(6)), log.bytesAfter(0));
        assertEquals("v2", new String(((Effect.PutString) log.get(2).effects().get(0)).value(), StandardCharsets.US_ASCII),
                "the checkers still see every entry");
        assertThrows(IllegalStateException.class, () -> log.truncateAfter(3), "inside the compacted prefix");
        log.restartAfter(8, 3, List.of(entry(1, 1, "a"), entry(1, 2, "b"), entry(1, 3, "c"), entry(2, 4, "d"),
                entry(2, 5, "e"), entry(2, 6, "f"), entry(3, 7, "g"), entry(3, 8, "h")));
        assertEquals(9, log.firstLsn());
        assertEquals(8, log.lastLsn());
        assertEquals(3, log.term(8));
        log.append(entry(3, 9, "i"));
        assertEquals(9, log.entries(9, 1000).get(0).lsn());
    }
}
