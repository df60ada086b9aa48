package io.tandem.core.keyspace;

import static io.tandem.core.testkit.CommandRunner.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.Reply;
import io.tandem.core.testkit.CommandRunner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** KEYS, SCAN, DEL, EXISTS, TYPE, FLUSHALL, PING, and the errors for unknown commands and wrong arity. */
class GenericCommandsTest {
    private final CommandRunner redis = new CommandRunner(1);

    private static List<String> strings(Reply array) {
        List<String> out = new ArrayList<>();
        for (Reply item : ((Reply.Array) array).items()) {
            out.add(new String(((Reply.Bulk) item).bytes()));
        }
        return out;
    }

    private List<String> keys(String pattern) {
        return new ArrayList<>(new TreeSet<>(strings(redis.execute(CommandRunner.args("KEYS " + pattern)))));
    }

    @Test
    void keysWithGlobPatterns() {
        for (String key : new String[] {"hello", "hallo", "hxllo", "hllo", "heeeello", "hbllo", "h*llo", "x"}) {
            redis.run("SET " + key + " v");
        }
        assertEquals(8, keys("*").size());
        assertEquals(List.of("h*llo", "hallo", "hbllo", "hello", "hxllo"), keys("h?llo"));
        assertEquals(List.of("h*llo", "hallo", "hbllo", "heeeello", "hello", "hllo", "hxllo"), keys("h*llo"));
        assertEquals(List.of("hallo", "hello"), keys("h[ae]llo"));
        assertEquals(List.of("h*llo", "hallo", "hbllo", "hxllo"), keys("h[^e]llo"));
        assertEquals(List.of("hallo", "hbllo"), keys("h[a-b]llo"));
        assertEquals(List.of("h*llo"), keys("h\\*llo"));
        assertEquals(List.of("x"), keys("x"));
        assertEquals(List.of(), keys("nothing*"));
    }

    @Test
    void keysSkipsExpiredKeysWithoutDeletingThem() {
        redis.run("SET live v");
        redis.run("SET dying v PX 10");
        redis.at(T0 + 11);
        assertEquals(List.of("live"), keys("*"));
        assertEquals(List.of(), redis.effects());
        assertEquals(":2", redis.run("DBSIZE"));
    }

    /** Runs a whole SCAN with the given options; checks no key comes twice; returns the keys. */
    private List<String> scanAll(String options) {
        Map<String, Integer> seen = new HashMap<>();
        String cursor = "0";
        int calls = 0;
        do {
            Reply reply = redis.execute(CommandRunner.args("SCAN " + cursor + options));
            List<Reply> parts = ((Reply.Array) reply).items();
            cursor = new String(((Reply.Bulk) parts.get(0)).bytes());
            for (String key : strings(parts.get(1))) {
                seen.merge(key, 1, Integer::sum);
            }
            assertTrue(++calls < 1_000, "scan does not end");
        } while (!cursor.equals("0"));
        seen.forEach((key, n) -> assertEquals(1, n, key + " returned twice"));
        return new ArrayList<>(new TreeSet<>(seen.keySet()));
    }

    @Test
    void scanWithMatchCountAndType() {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            redis.run("SET key" + i + " v");
            all.add("key" + i);
        }
        redis.run("HSET hash1 f v");
        redis.run("HSET hash2 f v");
        redis.run("RPUSH list1 a");
        all.addAll(List.of("hash1", "hash2", "list1"));
        all.sort(null);
        assertEquals(all, scanAll(""));
        assertEquals(all, scanAll(" COUNT 1"));
        assertEquals(all, scanAll(" COUNT 7"));
        assertEquals(all, scanAll(" MATCH *"));
        assertEquals(List.of("key1", "key10", "key11", "key12", "key13", "key14", "key15", "key16", "key17",
                "key18", "key19"), scanAll(" MATCH key1* COUNT 3"));
        assertEquals(List.of("hash1", "hash2"), scanAll(" TYPE hash COUNT 2"));
        assertEquals(List.of("list1"), scanAll(" type LIST"));
        assertEquals(List.of("hash2"), scanAll(" MATCH *2 TYPE hash"));
        assertEquals(List.of(), scanAll(" TYPE set"));
    }

    @Test
    void aWholeScanInOneCallEndsWithCursorZero() {
        redis.run("SET a 1");
        redis.run("SET b 2");
        Reply reply = redis.execute(CommandRunner.args("SCAN 0 COUNT 100"));
        List<Reply> parts = ((Reply.Array) reply).items();
        assertEquals("0", new String(((Reply.Bulk) parts.get(0)).bytes()));
        assertEquals(2, strings(parts.get(1)).size());
        assertEquals("[\"0\", []]", new CommandRunner(1).run("SCAN 0"));
    }

    @Test
    void scanSkipsExpiredKeys() {
        redis.run("SET live v");
        redis.run("SET dying v PX 10");
        redis.at(T0 + 11);
        assertEquals(List.of("live"), scanAll(""));
    }

    @Test
    void scanErrors() {
        redis.script(new String[][] {
            {"SCAN abc", "-ERR invalid cursor"},
            {"SCAN -1", "-ERR invalid cursor"},
            {"SCAN 0 COUNT 0", "-ERR syntax error"},
            {"SCAN 0 COUNT -1", "-ERR syntax error"},
            {"SCAN 0 COUNT x", "-ERR value is not an integer or out of range"},
            {"SCAN 0 COUNT", "-ERR syntax error"},
            {"SCAN 0 FOO bar", "-ERR syntax error"},
            {"SCAN", "-ERR wrong number of arguments for 'scan' command"},
        });
    }

    @Test
    void delExistsTypeDbsizeFlushall() {
        redis.script(new String[][] {
            {"SET a 1", "+OK"},
            {"HSET h f v", ":1"},
            {"SADD s m", ":1"},
            {"RPUSH l e", ":1"},
            {"TYPE a", "+string"},
            {"TYPE h", "+hash"},
            {"TYPE s", "+set"},
            {"TYPE l", "+list"},
            {"TYPE missing", "+none"},
            {"EXISTS a a missing h", ":3"},
            {"DBSIZE", ":4"},
            {"DEL a missing h", ":2", "DeleteKey(a); DeleteKey(h)"},
            {"UNLINK s", ":1", "DeleteKey(s)"},
            {"DEL missing", ":0", ""},
            {"FLUSHALL FOO", "-ERR syntax error", ""},
            {"FLUSHALL ASYNC", "+OK", "FlushAll"},
            {"DBSIZE", ":0"},
            {"FLUSHALL", "+OK", ""}, // nothing to remove: no effect in the log
            {"FLUSHDB SYNC", "+OK", ""},
        });
    }

    @Test
    void pingEchoRandomkey() {
        redis.script(new String[][] {
            {"PING", "+PONG"},
            {"PING hi", "\"hi\""},
            {"PING a b", "-ERR wrong number of arguments for 'ping' command"},
            {"ECHO x", "\"x\""},
            {"RANDOMKEY", "(nil)"},
            {"SET only v", "+OK"},
            {"RANDOMKEY", "\"only\""},
        });
    }

    @Test
    void unknownCommandsAndWrongArity() {
        redis.script(new String[][] {
            {"foo a b", "-ERR unknown command 'foo', with args beginning with: 'a' 'b' ", ""},
            {"foo", "-ERR unknown command 'foo', with args beginning with: "},
            {"FOO x", "-ERR unknown command 'FOO', with args beginning with: 'x' "},
            {"get", "-ERR wrong number of arguments for 'get' command"},
            {"GET a b", "-ERR wrong number of arguments for 'get' command"},
            {"gEt missing", "(nil)"},
            {"SET k", "-ERR wrong number of arguments for 'set' command"},
            {"HGETALL", "-ERR wrong number of arguments for 'hgetall' command"},
        });
    }

    @Test
    void unknownCommandArgumentsAreCutAt128Bytes() {
        String long200 = "x".repeat(200);
        String reply = redis.run("nope " + long200 + " next");
        assertEquals("-ERR unknown command 'nope', with args beginning with: '" + "x".repeat(128) + "' ", reply);
    }
}
