package io.tandem.core.keyspace;

import static io.tandem.core.testkit.CommandRunner.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tandem.core.testkit.CommandRunner;
import io.tandem.core.util.Ascii;
import java.util.List;
import org.junit.jupiter.api.Test;

/** EXPIRE and friends, TTL/PTTL/PERSIST as time advances, and lazy expiry on the node that owns it. */
class ExpiryCommandsTest {
    private final CommandRunner redis = new CommandRunner(1);

    @Test
    void ttlCountsDownAsTimeAdvances() {
        redis.script(new String[][] {
            {"TTL k", ":-2"},
            {"PTTL k", ":-2"},
            {"EXPIRE k 10", ":0", ""},
            {"SET k v", "+OK"},
            {"TTL k", ":-1"},
            {"PTTL k", ":-1"},
            {"EXPIRE k 10", ":1", "ExpireAt(k, " + (T0 + 10_000) + ")"},
            {"TTL k", ":10"},
            {"PTTL k", ":10000"},
        });
        redis.at(T0 + 4_000);
        assertEquals(":6", redis.run("TTL k"));
        assertEquals(":6000", redis.run("PTTL k"));
        redis.at(T0 + 4_400); // 5600 ms left: rounds to 6
        assertEquals(":6", redis.run("TTL k"));
        redis.at(T0 + 4_600); // 5400 ms left: rounds to 5
        assertEquals(":5", redis.run("TTL k"));
        redis.at(T0 + 10_000); // expires when now > expiry: still here at the exact millisecond
        assertEquals(":0", redis.run("PTTL k"));
        assertEquals("\"v\"", redis.run("GET k"));
        redis.at(T0 + 10_001);
        assertEquals(":-2", redis.run("TTL k"));
    }

    @Test
    void persistRemovesTheTimeToLive() {
        redis.script(new String[][] {
            {"PERSIST missing", ":0", ""},
            {"SET k v", "+OK"},
            {"PERSIST k", ":0", ""},
            {"EXPIRE k 100", ":1"},
            {"PERSIST k", ":1", "Persist(k)"},
            {"TTL k", ":-1"},
        });
        redis.at(T0 + 200_000);
        assertEquals("\"v\"", redis.run("GET k"));
        assertEquals(0, redis.keyspace.keysWithExpiry());
    }

    @Test
    void anExpiredKeyReadsAsMissingAndIsDeletedByAnEffect() {
        redis.run("SET k v PX 100");
        redis.run("SET other v");
        assertEquals(1, redis.keyspace.keysWithExpiry());
        redis.at(T0 + 101);
        assertEquals("(nil)", redis.run("GET k"));
        assertEquals(List.of("DeleteKey(k)"), redis.effects());
        assertNull(redis.keyspace.find(Ascii.bytes("k")));
        assertEquals(1, redis.keyspace.size());
        assertEquals(0, redis.keyspace.keysWithExpiry());
        assertEquals("(nil)", redis.run("GET k"));
        assertEquals(List.of(), redis.effects(), "the key is gone: nothing more to delete");
    }

    @Test
    void everyReadAndWriteTreatsAnExpiredKeyAsMissing() {
        String[][] cases = {
            {"EXISTS k", ":0", "DeleteKey(k)"},
            {"TYPE k", "+none", "DeleteKey(k)"},
            {"DEL k", ":0", "DeleteKey(k)"},
            {"TTL k", ":-2", "DeleteKey(k)"},
            {"SET k new NX", "+OK", "DeleteKey(k); PutString(k, new, -1)"},
            {"SET k new XX", "(nil)", "DeleteKey(k)"},
            {"INCR k", ":1", "DeleteKey(k); PutString(k, 1, -2)"},
            {"APPEND k x", ":1", "DeleteKey(k); PutString(k, x, -1)"},
            {"EXPIRE k 100", ":0", "DeleteKey(k)"},
            {"PERSIST k", ":0", "DeleteKey(k)"},
        };
        for (String[] row : cases) {
            CommandRunner fresh = new CommandRunner(1);
            fresh.run("SET k 41 PX 100");
            fresh.at(T0 + 500);
            assertEquals(row[1], fresh.run(row[0]), row[0]);
            assertEquals(row[2], String.join("; ", fresh.effects()), row[0] + " (effects)");
        }
    }

    @Test
    void aNodeThatDoesNotOwnExpiryHidesExpiredKeysWithoutDeletingThem() {
        redis.run("SET k v PX 100");
        redis.ctx.ownsExpiry(false);
        redis.at(T0 + 101);
        assertEquals("(nil)", redis.run("GET k"));
        assertEquals(":0", redis.run("EXISTS k"));
        assertEquals(List.of(), redis.effects());
        assertNotNull(redis.keyspace.find(Ascii.bytes("k")), "a follower never deletes on its own clock");
    }

    @Test
    void aTimeInThePastDeletesTheKey() {
        redis.script(new String[][] {
            {"SET a v", "+OK"},
            {"EXPIRE a -1", ":1", "DeleteKey(a)"},
            {"EXISTS a", ":0"},
            {"SET b v", "+OK"},
            {"EXPIRE b 0", ":1", "DeleteKey(b)"},
            {"SET c v", "+OK"},
            {"EXPIREAT c 1", ":1", "DeleteKey(c)"},
            {"SET d v", "+OK"},
            {"PEXPIREAT d " + T0, ":1", "DeleteKey(d)"},
            {"DBSIZE", ":0"},
        });
    }

    @Test
    void otherUnitsAndAbsoluteTimes() {
        redis.run("SET k v");
        redis.script(new String[][] {
            {"PEXPIRE k 1500", ":1", "ExpireAt(k, " + (T0 + 1_500) + ")"},
            {"PTTL k", ":1500"},
            {"EXPIREAT k " + (T0 / 1000 + 50), ":1", "ExpireAt(k, " + (T0 + 50_000) + ")"},
            {"TTL k", ":50"},
            {"PEXPIREAT k " + (T0 + 250), ":1", "ExpireAt(k, " + (T0 + 250) + ")"},
            {"PTTL k", ":250"},
        });
    }

    @Test
    void conditionsNxXxGtLt() {
        redis.run("SET k v");
        redis.script(new String[][] {
            {"EXPIRE k 100 XX", ":0", ""},
            {"EXPIRE k 100 GT", ":0", ""}, // no expiry counts as infinite: nothing is greater
            {"EXPIRE k 100 NX", ":1"},
            {"EXPIRE k 200 NX", ":0", ""},
            {"TTL k", ":100"},
            {"EXPIRE k 200 XX", ":1"},
            {"EXPIRE k 150 GT", ":0", ""},
            {"EXPIRE k 200 GT", ":0", ""},
            {"EXPIRE k 300 GT", ":1"},
            {"EXPIRE k 400 LT", ":0", ""},
            {"EXPIRE k 300 LT", ":0", ""},
            {"EXPIRE k 50 lt", ":1"},
            {"TTL k", ":50"},
            {"PERSIST k", ":1"},
            {"EXPIRE k 10 LT", ":1"}, // anything is less than infinite
            {"TTL k", ":10"},
            {"EXPIRE k 20 XX GT", ":1"},
            {"TTL k", ":20"},
        });
    }

    @Test
    void optionAndArgumentErrors() {
        redis.run("SET k v");
        redis.script(new String[][] {
            {"EXPIRE k 10 NX XX", "-ERR NX and XX, GT or LT options at the same time are not compatible", ""},
            {"EXPIRE k 10 NX GT", "-ERR NX and XX, GT or LT options at the same time are not compatible", ""},
            {"EXPIRE k 10 GT LT", "-ERR GT and LT options at the same time are not compatible", ""},
            {"EXPIRE k 10 FOO", "-ERR Unsupported option FOO", ""},
            {"EXPIRE k abc", "-ERR value is not an integer or out of range", ""},
            {"EXPIRE k 9223372036854775807", "-ERR invalid expire time in 'expire' command", ""},
            {"PEXPIRE k 9223372036854775807", "-ERR invalid expire time in 'pexpire' command", ""},
            {"EXPIRE k", "-ERR wrong number of arguments for 'expire' command", ""},
            {"TTL k extra", "-ERR wrong number of arguments for 'ttl' command", ""},
            {"TTL k", ":-1"},
        });
    }

    @Test
    void keysWithExpiryFollowsTheCommands() {
        redis.run("SET a v EX 10");
        redis.run("SET b v");
        redis.run("EXPIRE b 10");
        redis.run("SET c v EX 10");
        assertEquals(3, redis.keyspace.keysWithExpiry());
        redis.run("PERSIST a");
        redis.run("SET b v2"); // SET without KEEPTTL clears the TTL
        redis.run("DEL c");
        assertEquals(0, redis.keyspace.keysWithExpiry());
    }
}
