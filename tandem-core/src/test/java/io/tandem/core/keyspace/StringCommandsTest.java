package io.tandem.core.keyspace;

import static io.tandem.core.testkit.CommandRunner.T0;

import io.tandem.core.testkit.CommandRunner;
import org.junit.jupiter.api.Test;

/** GET, SET and its options, the INCR family and the other string commands, with Redis 7's replies. */
class StringCommandsTest {
    private static final String WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value";
    private static final String NOT_INTEGER = "-ERR value is not an integer or out of range";
    private static final String SYNTAX = "-ERR syntax error";
    private static final String INVALID_EXPIRE = "-ERR invalid expire time in 'set' command";

    private final CommandRunner redis = new CommandRunner(1);

    @Test
    void setConditionsAndGet() {
        redis.script(new String[][] {
            {"GET k", "(nil)", ""},
            {"SET k v", "+OK", "PutString(k, v, -1)"},
            {"GET k", "\"v\"", ""},
            {"SET k v2 NX", "(nil)", ""},
            {"GET k", "\"v\""},
            {"SET fresh v NX", "+OK", "PutString(fresh, v, -1)"},
            {"SET missing v XX", "(nil)", ""},
            {"EXISTS missing", ":0"},
            {"SET k v3 XX", "+OK", "PutString(k, v3, -1)"},
            {"SET k v4 GET", "\"v3\"", "PutString(k, v4, -1)"},
            {"SET absent v GET", "(nil)", "PutString(absent, v, -1)"},
            {"GET absent", "\"v\""},
            {"SET k v5 NX GET", "\"v4\"", ""},
            {"SET k2 v XX GET", "(nil)", ""},
            {"set k lower nx", "(nil)"},
            {"sEt k lower xx", "+OK"},
            {"GET k", "\"lower\""},
        });
    }

    @Test
    void setExpiryOptions() {
        long seconds = T0 / 1000;
        redis.script(new String[][] {
            {"SET k v EX 10", "+OK", "PutString(k, v, " + (T0 + 10_000) + ")"},
            {"PTTL k", ":10000"},
            {"SET k v PX 1500", "+OK", "PutString(k, v, " + (T0 + 1_500) + ")"},
            {"TTL k", ":2"},
            {"SET k v EXAT " + (seconds + 100), "+OK", "PutString(k, v, " + (T0 + 100_000) + ")"},
            {"TTL k", ":100"},
            {"SET k v PXAT " + (T0 + 123), "+OK", "PutString(k, v, " + (T0 + 123) + ")"},
            {"PTTL k", ":123"},
            {"SET k v2 KEEPTTL", "+OK", "PutString(k, v2, -2)"},
            {"PTTL k", ":123"},
            {"SET k v3", "+OK", "PutString(k, v3, -1)"},
            {"TTL k", ":-1"},
            {"SET k v ex 7", "+OK"},
            {"TTL k", ":7"},
        });
    }

    @Test
    void setSyntaxAndExpiryErrorsChangeNothing() {
        redis.run("SET k original");
        redis.script(new String[][] {
            {"SET k v NX XX", SYNTAX, ""},
            {"SET k v XX NX", SYNTAX, ""},
            {"SET k v EX", SYNTAX, ""},
            {"SET k v EX 10 PX 100", SYNTAX, ""},
            {"SET k v EX 10 KEEPTTL", SYNTAX, ""},
            {"SET k v KEEPTTL EX 10", SYNTAX, ""},
            {"SET k v PXAT 5 EXAT 5", SYNTAX, ""},
            {"SET k v FOO", SYNTAX, ""},
            {"SET k v EX abc", NOT_INTEGER, ""},
            {"SET k v EX 1.5", NOT_INTEGER, ""},
            {"SET k v EX 0", INVALID_EXPIRE, ""},
            {"SET k v EX -5", INVALID_EXPIRE, ""},
            {"SET k v PX 0", INVALID_EXPIRE, ""},
            {"SET k v EXAT 0", INVALID_EXPIRE, ""},
            {"SET k v PXAT -1", INVALID_EXPIRE, ""},
            {"SET k v EX 9223372036854775807", INVALID_EXPIRE, ""},
            {"SET k v PX 9223372036854775807", INVALID_EXPIRE, ""},
            {"SET k", "-ERR wrong number of arguments for 'set' command", ""},
            {"GET k", "\"original\""},
            {"TTL k", ":-1"},
        });
    }

    /** Redis's parser checks EX against PX, EXAT, PXAT and KEEPTTL, not against itself: the last EX wins. */
    @Test
    void setAcceptsARepeatedExpiryOptionAsRedisDoes() {
        redis.script(new String[][] {
            {"SET k v EX 10 EX 20", "+OK"},
            {"TTL k", ":20"},
            {"SET k v PX 100 PX 200", "+OK"},
            {"PTTL k", ":200"},
        });
    }

    @Test
    void setOverOtherTypes() {
        redis.script(new String[][] {
            {"HSET h f v", ":1"},
            {"GET h", WRONGTYPE},
            {"SET h x GET", WRONGTYPE, ""},
            {"TYPE h", "+hash"},
            {"SET h x", "+OK", "PutString(h, x, -1)"},
            {"TYPE h", "+string"},
            {"GET h", "\"x\""},
        });
    }

    @Test
    void incrementFamily() {
        redis.script(new String[][] {
            {"INCR n", ":1", "PutString(n, 1, -2)"},
            {"INCRBY n 10", ":11", "PutString(n, 11, -2)"},
            {"DECR n", ":10", "PutString(n, 10, -2)"},
            {"DECRBY n 20", ":-10", "PutString(n, -10, -2)"},
            {"INCRBY n -5", ":-15"},
            {"GET n", "\"-15\""},
            {"SET s abc", "+OK"},
            {"INCR s", NOT_INTEGER, ""},
            {"SET s 01", "+OK"},
            {"INCR s", NOT_INTEGER, ""},
            {"SET s +1", "+OK"},
            {"INCR s", NOT_INTEGER, ""},
            {"SET s 1.0", "+OK"},
            {"INCR s", NOT_INTEGER, ""},
            {"INCRBY n abc", NOT_INTEGER, ""},
            {"INCRBY n 9223372036854775808", NOT_INTEGER, ""},
            {"SET max 9223372036854775807", "+OK"},
            {"INCR max", "-ERR increment or decrement would overflow", ""},
            {"DECRBY max -1", "-ERR increment or decrement would overflow", ""},
            {"SET min -9223372036854775808", "+OK"},
            {"DECR min", "-ERR increment or decrement would overflow", ""},
            {"INCRBY min -1", "-ERR increment or decrement would overflow", ""},
            {"DECRBY n -9223372036854775808", "-ERR decrement would overflow", ""},
            {"GET max", "\"9223372036854775807\""},
            {"HSET h f 1", ":1"},
            {"INCR h", WRONGTYPE, ""},
        });
    }

    @Test
    void incrementKeepsTheTimeToLive() {
        redis.script(new String[][] {
            {"SET t 5 EX 100", "+OK"},
            {"INCR t", ":6", "PutString(t, 6, -2)"},
            {"PTTL t", ":100000"},
        });
    }

    @Test
    void appendStrlenGetsetGetdelMgetMset() {
        redis.script(new String[][] {
            {"APPEND a hello", ":5", "PutString(a, hello, -1)"},
            {"EXPIRE a 100", ":1"},
            {"APPEND a xy", ":7", "PutString(a, helloxy, -2)"},
            {"TTL a", ":100"},
            {"STRLEN a", ":7"},
            {"STRLEN missing", ":0"},
            {"GETSET a new", "\"helloxy\"", "PutString(a, new, -1)"},
            {"TTL a", ":-1"},
            {"GETDEL a", "\"new\"", "DeleteKey(a)"},
            {"GETDEL a", "(nil)", ""},
            {"MSET x 1 y 2", "+OK", "PutString(x, 1, -1); PutString(y, 2, -1)"},
            {"MSET x 1 y", "-ERR wrong number of arguments for 'mset' command", ""},
            {"HSET h f v", ":1"},
            {"MGET x h nothing y", "[\"1\", (nil), (nil), \"2\"]"},
            {"MSETNX y 3 z 4", ":0", ""},
            {"MSETNX z 4 w 5", ":1"},
            {"SETNX z 9", ":0", ""},
            {"SETNX v 9", ":1", "PutString(v, 9, -1)"},
            {"SETEX e 10 val", "+OK", "PutString(e, val, " + (T0 + 10_000) + ")"},
            {"SETEX e 0 val", "-ERR invalid expire time in 'setex' command", ""},
            {"PSETEX e 250 val", "+OK", "PutString(e, val, " + (T0 + 250) + ")"},
            {"PSETEX e -1 val", "-ERR invalid expire time in 'psetex' command", ""},
        });
    }
}
