package io.tandem.core.keyspace;

import io.tandem.core.testkit.CommandRunner;
import org.junit.jupiter.api.Test;

/** HSET, HGET, HDEL, HGETALL, HINCRBY and the other hash commands, with Redis 7's replies. */
class HashCommandsTest {
    private static final String WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value";

    private final CommandRunner redis = new CommandRunner(1);

    @Test
    void setGetDeleteWithTheKeyGoingWithItsLastField() {
        redis.script(new String[][] {
            {"HSET h a 1 b 2", ":2", "HashPut(h, [a, 1, b, 2])"},
            {"HSET h a 3 c 4", ":1", "HashPut(h, [a, 3, c, 4])"},
            {"HGET h a", "\"3\""},
            {"HGET h zz", "(nil)"},
            {"HGET missing a", "(nil)"},
            {"HLEN h", ":3"},
            {"HGETALL h", "%[\"a\", \"3\", \"b\", \"2\", \"c\", \"4\"]"},
            {"HKEYS h", "[\"a\", \"b\", \"c\"]"},
            {"HVALS h", "[\"3\", \"2\", \"4\"]"},
            {"HMGET h a zz c", "[\"3\", (nil), \"4\"]"},
            {"HEXISTS h b", ":1"},
            {"HEXISTS h zz", ":0"},
            {"HSTRLEN h a", ":1"},
            {"HDEL h a zz a", ":1", "HashRemove(h, [a])"},
            {"HDEL h zz", ":0", ""},
            {"HDEL missing a", ":0", ""},
            {"HDEL h b c", ":2", "HashRemove(h, [b, c])"},
            {"EXISTS h", ":0"},
            {"HGETALL h", "%[]"},
            {"HLEN h", ":0"},
            {"HKEYS h", "[]"},
        });
    }

    @Test
    void aFieldNamedTwiceInOneHsetCountsOnceAndTheLastValueWins() {
        redis.script(new String[][] {
            {"HSET h a 1 a 2", ":1", "HashPut(h, [a, 1, a, 2])"},
            {"HGET h a", "\"2\""},
            {"HLEN h", ":1"},
        });
    }

    @Test
    void hmsetHsetnxAndArity() {
        redis.script(new String[][] {
            {"HMSET h a 1 b 2", "+OK", "HashPut(h, [a, 1, b, 2])"},
            {"HSETNX h a 9", ":0", ""},
            {"HSETNX h c 9", ":1", "HashPut(h, [c, 9])"},
            {"HSET h a", "-ERR wrong number of arguments for 'hset' command", ""},
            {"HSET h a 1 b", "-ERR wrong number of arguments for 'hset' command", ""},
            {"HMSET h a 1 b", "-ERR wrong number of arguments for 'hmset' command", ""},
            {"HGET h", "-ERR wrong number of arguments for 'hget' command"},
            {"HGETALL h", "%[\"a\", \"1\", \"b\", \"2\", \"c\", \"9\"]"},
        });
    }

    @Test
    void hincrby() {
        redis.script(new String[][] {
            {"HINCRBY h n 5", ":5", "HashPut(h, [n, 5])"},
            {"HINCRBY h n -7", ":-2", "HashPut(h, [n, -2])"},
            {"HSET h s abc", ":1"},
            {"HINCRBY h s 1", "-ERR hash value is not an integer", ""},
            {"HSET h f 1.5", ":1"},
            {"HINCRBY h f 1", "-ERR hash value is not an integer", ""},
            {"HINCRBY h n x", "-ERR value is not an integer or out of range", ""},
            {"HSET h big 9223372036854775807", ":1"},
            {"HINCRBY h big 1", "-ERR increment or decrement would overflow", ""},
            {"HGET h n", "\"-2\""},
        });
    }

    @Test
    void wrongTypes() {
        redis.run("SET s v");
        redis.script(new String[][] {
            {"HSET s a 1", WRONGTYPE, ""},
            {"HGET s a", WRONGTYPE},
            {"HGETALL s", WRONGTYPE},
            {"HDEL s a", WRONGTYPE, ""},
            {"HINCRBY s a 1", WRONGTYPE, ""},
            {"HSET h f v", ":1"},
            {"GET h", WRONGTYPE},
            {"GET s", "\"v\""},
        });
    }
}
