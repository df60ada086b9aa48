package io.tandem.core.replicaset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.keyspace.KeyspaceDigest;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EntryApplierTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A log of SETs, overwrites and deletes, some to keys written a few entries before (in the same batch) and
     * some across batch boundaries, replayed in batches: the keyspace is the one applying entry by entry gives,
     * whether the log ends on a batch boundary, one past it, or one short.
     */
    @ParameterizedTest(name = "{0} entries")
    @ValueSource(ints = {0, 1, EntryApplier.BATCH - 1, EntryApplier.BATCH, EntryApplier.BATCH + 1, 1_000})
    void replayInBatchesLeavesTheKeyspaceApplyingOneByOneLeaves(int entries) {
        SplittableRandom random = new SplittableRandom(entries);
        List<Entry> log = new ArrayList<>();
        java.util.Set<String> present = new java.util.HashSet<>(); // a leader deletes only keys it has
        for (int lsn = 1; lsn <= entries; lsn++) {
            String key = "k" + random.nextInt(300);
            Effect effect;
            if (present.contains(key) && random.nextInt(4) == 0) {
                effect = new Effect.DeleteKey(b(key));
                present.remove(key);
            } else {
                effect = new Effect.PutString(b(key), b("v" + lsn), Effect.NO_EXPIRY);
                present.add(key);
            }
            log.add(new Entry(1, lsn, 1_000 + lsn, List.of(effect)));
        }
        Keyspace oneByOne = new Keyspace(7);
        EntryApplier direct = new EntryApplier(oneByOne, new SplittableRandom(1));
        Keyspace batched = new Keyspace(7);
        EntryApplier replaying = new EntryApplier(batched, new SplittableRandom(1));
        for (Entry entry : log) {
            direct.apply(entry);
            replaying.replay(entry);
        }
        replaying.finishReplay();
        assertEquals(KeyspaceDigest.of(oneByOne), KeyspaceDigest.of(batched));
        assertEquals(oneByOne.size(), batched.size());
        assertEquals(present.size(), batched.size());
    }
}
