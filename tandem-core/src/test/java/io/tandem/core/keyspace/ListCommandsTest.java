package io.tandem.core.keyspace;

import io.tandem.core.testkit.CommandRunner;
import org.junit.jupiter.api.Test;

/** LPUSH, RPUSH, LPOP, RPOP (with counts), LRANGE, LINDEX and LLEN, with Redis 7's replies. */
class ListCommandsTest {
    private static final String WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value";
    private static final String NOT_INTEGER = "-ERR value is not an integer or out of range";

    private final CommandRunner redis = new CommandRunner(1);

    @Test
    void pushAndRange() {
        redis.script(new String[][] {
            {"RPUSH l a b c", ":3", "ListPush(l, right, [a, b, c])"},
            {"LPUSH l x y", ":5", "ListPush(l, left, [x, y])"},
            {"LRANGE l 0 -1", "[\"y\", \"x\", \"a\", \"b\", \"c\"]"},
            {"LRANGE l 0 0", "[\"y\"]"},
            {"LRANGE l -2 100", "[\"b\", \"c\"]"},
            {"LRANGE l -100 1", "[\"y\", \"x\"]"},
            {"LRANGE l -100 -100", "[]"},
            {"LRANGE l 3 1", "[]"},
            {"LRANGE l 5 10", "[]"},
            {"LRANGE l 4 4", "[\"c\"]"},
            {"LRANGE l -1 -1", "[\"c\"]"},
            {"LRANGE missing 0 -1", "[]"},
            {"LRANGE l a 1", NOT_INTEGER},
            {"LRANGE missing 0 b", NOT_INTEGER},
            {"LLEN l", ":5"},
            {"LLEN missing", ":0"},
        });
    }

    @Test
    void lindex() {
        redis.run("RPUSH l y x a b c");
        redis.script(new String[][] {
            {"LINDEX l 0", "\"y\""},
            {"LINDEX l 4", "\"c\""},
            {"LINDEX l -1", "\"c\""},
            {"LINDEX l -5", "\"y\""},
            {"LINDEX l 5", "(nil)"},
            {"LINDEX l -6", "(nil)"},
            {"LINDEX l x", NOT_INTEGER},
            {"LINDEX missing x", "(nil)"}, // Redis looks the key up before it parses the index
        });
    }

    @Test
    void popWithAndWithoutCountTheKeyGoingWithItsLastElement() {
        redis.run("RPUSH l y x a b c");
        redis.script(new String[][] {
            {"LPOP l", "\"y\"", "ListPop(l, left, 1)"},
            {"RPOP l", "\"c\"", "ListPop(l, right, 1)"},
            {"LPOP l 0", "[]", ""},
            {"LPOP l 2", "[\"x\", \"a\"]", "ListPop(l, left, 2)"},
            {"RPOP l 5", "[\"b\"]", "ListPop(l, right, 1)"},
            {"EXISTS l", ":0"},
            {"LPOP l", "(nil)", ""},
            {"LPOP l 2", "(nil-array)", ""},
            {"RPOP l 0", "(nil-array)", ""},
        });
    }

    @Test
    void rpopWithCountRepliesFromTheTail() {
        redis.run("RPUSH l a b c d");
        redis.script(new String[][] {
            {"RPOP l 3", "[\"d\", \"c\", \"b\"]", "ListPop(l, right, 3)"},
            {"LRANGE l 0 -1", "[\"a\"]"},
        });
    }

    @Test
    void popErrors() {
        redis.run("RPUSH l a");
        redis.script(new String[][] {
            {"LPOP l -1", "-ERR value is out of range, must be positive", ""},
            {"RPOP l x", "-ERR value is out of range, must be positive", ""}, // Redis 7.0: any bad count
            {"LPOP l 1 2", "-ERR wrong number of arguments for 'lpop' command", ""},
            {"LPOP", "-ERR wrong number of arguments for 'lpop' command", ""},
            {"RPUSH l", "-ERR wrong number of arguments for 'rpush' command", ""},
            {"LLEN l", ":1"},
        });
    }

    @Test
    void wrongTypes() {
        redis.run("SET s v");
        redis.script(new String[][] {
            {"LPUSH s a", WRONGTYPE, ""},
            {"RPOP s", WRONGTYPE, ""},
            {"LRANGE s 0 -1", WRONGTYPE},
            {"LINDEX s 0", WRONGTYPE},
            {"LLEN s", WRONGTYPE},
            {"RPUSH l a", ":1"},
            {"GET l", WRONGTYPE},
            {"SADD l a", WRONGTYPE},
        });
    }
}
