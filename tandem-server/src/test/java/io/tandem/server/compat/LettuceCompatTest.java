package io.tandem.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ExpireArgs;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.storage.wal.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lettuce 7 against an in-process Tandem node: RESP3 (its default, HELLO 3) and RESP2, sync and async. */
class LettuceCompatTest {
    @TempDir
    static Path dir;
    static TandemNode node;
    private final List<RedisClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        node = TandemNode.start(NodeConfig.forTest(dir, FsyncPolicy.BATCH));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @BeforeEach
    void flush() {
        connect(null).sync().flushall();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(c -> c.shutdown(0, 2, TimeUnit.SECONDS));
    }

    /** protocol null: Lettuce's default (HELLO 3). */
    private StatefulRedisConnection<String, String> connect(ProtocolVersion protocol) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + node.port());
        clients.add(client);
        if (protocol != null) {
            client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
        }
        StatefulRedisConnection<String, String> connection = client.connect();
        connection.setTimeout(Duration.ofSeconds(10));
        return connection;
    }

    @Test
    void syncCommandsOverResp3() {
        RedisCommands<String, String> redis = connect(null).sync();
        assertTrue(redis.clientInfo().contains("resp=3"),
                "Lettuce should have switched to RESP3: " + redis.clientInfo());
        exercise(redis);
    }

    @Test
    void syncCommandsOverResp2() {
        RedisCommands<String, String> redis = connect(ProtocolVersion.RESP2).sync();
        assertTrue(redis.clientInfo().contains("resp=2"), redis.clientInfo());
        exercise(redis);
    }

    /** Strings, integers, hashes, sets, lists, expiry, keys and errors, as an application uses them. */
    @SuppressWarnings("deprecation") // SETNX and GETSET are deprecated in the client, and tested all the same
    private static void exercise(RedisCommands<String, String> redis) {
        assertEquals("PONG", redis.ping());
        assertEquals("hi", redis.echo("hi"));
        assertEquals(1L, redis.dbsize() + 1);

        assertEquals("OK", redis.set("s", "v"));
        assertEquals("v", redis.get("s"));
        assertNull(redis.get("missing"));
        assertNull(redis.set("s", "w", SetArgs.Builder.nx()));
        assertEquals("OK", redis.set("s", "w", SetArgs.Builder.xx().ex(100)));
        assertTrue(redis.ttl("s") > 90);
        assertEquals("w", redis.setGet("s", "x"));
        assertEquals(-1L, redis.ttl("s"));
        assertTrue(redis.setnx("nx", "1"));
        assertFalse(redis.setnx("nx", "2"));
        assertEquals("1", redis.getset("nx", "3"));
        assertEquals("OK", redis.mset(Map.of("m1", "a", "m2", "b")));
        assertEquals(List.of(KeyValue.just("m1", "a"), KeyValue.empty("nope"), KeyValue.just("m2", "b")),
                redis.mget("m1", "nope", "m2"));
        assertEquals(6L, redis.append("m1", "bcdef"));
        assertEquals(6L, redis.strlen("m1"));

        assertEquals(1L, redis.incr("n"));
        assertEquals(11L, redis.incrby("n", 10));
        assertEquals(10L, redis.decr("n"));
        assertEquals(-5L, redis.decrby("n", 15));
        redis.set("n", Long.toString(Long.MAX_VALUE));
        RedisCommandExecutionException overflow = assertThrows(RedisCommandExecutionException.class,
                () -> redis.incr("n"));
        assertEquals("ERR increment or decrement would overflow", overflow.getMessage());
        RedisCommandExecutionException notInteger = assertThrows(RedisCommandExecutionException.class,
                () -> redis.incr("s"));
        assertEquals("ERR value is not an integer or out of range", notInteger.getMessage());

        assertEquals(2L, redis.hset("h", Map.of("f1", "v1", "f2", "v2")));
        assertFalse(redis.hset("h", "f1", "new"));
        assertEquals("new", redis.hget("h", "f1"));
        assertEquals(Map.of("f1", "new", "f2", "v2"), redis.hgetall("h"));
        assertEquals(2L, redis.hlen("h"));
        assertTrue(redis.hexists("h", "f2"));
        assertEquals(7L, redis.hincrby("h", "c", 7));
        assertEquals(Set.of("f1", "f2", "c"), Set.copyOf(redis.hkeys("h")));
        assertEquals(Set.of("new", "v2", "7"), Set.copyOf(redis.hvals("h")));
        assertEquals(1L, redis.hdel("h", "f1", "f1", "nofield"));
        assertEquals(Map.of(), redis.hgetall("nohash"));

        assertEquals(3L, redis.sadd("set", "a", "b", "c", "a"));
        assertEquals(Set.of("a", "b", "c"), redis.smembers("set"));
        assertTrue(redis.sismember("set", "a"));
        assertEquals(1L, redis.srem("set", "a", "zz"));
        assertEquals(2L, redis.scard("set"));
        String popped = redis.spop("set");
        assertTrue(Set.of("b", "c").contains(popped), popped);
        assertEquals(1, redis.spop("set", 5).size());
        assertEquals(0L, redis.exists("set"));
        assertNull(redis.spop("set"));

        assertEquals(2L, redis.rpush("l", "b", "c"));
        assertEquals(3L, redis.lpush("l", "a"));
        assertEquals(List.of("a", "b", "c"), redis.lrange("l", 0, -1));
        assertEquals("c", redis.lindex("l", -1));
        assertNull(redis.lindex("l", 10));
        assertEquals(3L, redis.llen("l"));
        assertEquals("a", redis.lpop("l"));
        assertEquals(List.of("c", "b"), redis.rpop("l", 5));
        assertNull(redis.lpop("l"));
        assertEquals(List.of(), redis.lpop("l", 2));

        RedisCommandExecutionException wrongType = assertThrows(RedisCommandExecutionException.class,
                () -> redis.lpush("h", "x"));
        assertEquals("WRONGTYPE Operation against a key holding the wrong kind of value", wrongType.getMessage());
        assertEquals("hash", redis.type("h"));
        assertEquals("string", redis.type("s"));
        assertEquals("none", redis.type("missing"));

        assertTrue(redis.expire("s", 100));
        assertFalse(redis.expire("s", 200, ExpireArgs.Builder.nx()));
        assertTrue(redis.expire("s", 300, ExpireArgs.Builder.gt()));
        assertTrue(redis.pttl("s") > 290_000);
        assertTrue(redis.persist("s"));
        assertEquals(-1L, redis.ttl("s"));
        assertEquals(-2L, redis.ttl("missing"));
        assertFalse(redis.pexpire("missing", 100));

        for (int i = 0; i < 30; i++) {
            redis.set("scan:" + i, "x");
        }
        Set<String> scanned = new TreeSet<>();
        ScanIterator.scan(redis, ScanArgs.Builder.matches("scan:*").limit(7)).forEachRemaining(scanned::add);
        assertEquals(30, scanned.size());
        assertEquals(30, redis.keys("scan:*").size());
        assertEquals(2L, redis.exists("scan:1", "scan:1"));
        assertEquals(2L, redis.del("scan:1", "scan:2", "scan:1"));
        assertEquals(1L, redis.unlink("scan:3"));
        assertTrue(redis.randomkey() != null);

        assertEquals("OK", redis.clientSetname("lettuce-app"));
        assertEquals("lettuce-app", redis.clientGetname());
        assertTrue(redis.clientId() > 0);
    }

    @Test
    void asyncCommands() throws Exception {
        RedisAsyncCommands<String, String> redis = connect(null).async();
        assertEquals("OK", redis.set("a", "1").get(5, TimeUnit.SECONDS));
        assertEquals(2L, redis.incr("a").get(5, TimeUnit.SECONDS));
        assertEquals(1L, redis.hset("h", Map.of("f", "v")).get(5, TimeUnit.SECONDS));
        assertEquals(Map.of("f", "v"), redis.hgetall("h").get(5, TimeUnit.SECONDS));
        assertEquals(2L, redis.sadd("s", "x", "y").get(5, TimeUnit.SECONDS));
        assertEquals(List.of("q", "p"), redis.lpush("l", "p", "q").thenCompose(n -> redis.lrange("l", 0, -1))
                .toCompletableFuture().get(5, TimeUnit.SECONDS));
        RedisFuture<String> wrong = redis.get("h");
        Exception failure = assertThrows(Exception.class, () -> wrong.get(5, TimeUnit.SECONDS));
        assertInstanceOf(RedisCommandExecutionException.class, failure.getCause());
        assertTrue(failure.getCause().getMessage().startsWith("WRONGTYPE"), failure.getCause().getMessage());
    }

    @Test
    void pipelinedAsyncCommands() throws Exception {
        for (ProtocolVersion protocol : new ProtocolVersion[] {ProtocolVersion.RESP3, ProtocolVersion.RESP2}) {
            StatefulRedisConnection<String, String> connection = connect(protocol);
            RedisAsyncCommands<String, String> redis = connection.async();
            redis.del("counter", "list").get(5, TimeUnit.SECONDS);
            connection.setAutoFlushCommands(false);
            List<RedisFuture<?>> futures = new ArrayList<>();
            List<RedisFuture<Long>> increments = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                futures.add(redis.set("p:" + i, Integer.toString(i)));
                RedisFuture<Long> increment = redis.incr("counter");
                increments.add(increment);
                futures.add(increment);
                futures.add(redis.rpush("list", Integer.toString(i)));
            }
            connection.flushCommands();
            assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(20), futures.toArray(new RedisFuture<?>[0])),
                    "pipelined commands did not all complete (" + protocol + ")");
            for (int i = 0; i < 1000; i++) {
                assertEquals(i + 1L, increments.get(i).get(), "INCR #" + i + " over " + protocol);
            }
            connection.setAutoFlushCommands(true);
            assertEquals(1000L, redis.llen("list").get(5, TimeUnit.SECONDS));
            assertEquals("999", redis.get("p:999").get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void transactionsWithMultiExec() {
        for (ProtocolVersion protocol : new ProtocolVersion[] {ProtocolVersion.RESP3, ProtocolVersion.RESP2}) {
            RedisCommands<String, String> redis = connect(protocol).sync();
            redis.flushall();
            redis.set("str", "v");
            assertEquals("OK", redis.multi());
            assertNull(redis.set("a", "1"));
            assertNull(redis.incr("a"));
            assertNull(redis.lpush("str", "x"));
            assertNull(redis.hset("h", "f", "v"));
            assertNull(redis.get("a"));
            TransactionResult result = redis.exec();
            assertFalse(result.wasDiscarded());
            assertEquals(5, result.size());
            assertEquals("OK", result.get(0));
            assertEquals(2L, (Long) result.get(1));
            assertInstanceOf(RedisCommandExecutionException.class, result.get(2), "WRONGTYPE inside EXEC");
            assertEquals(true, result.get(3));
            assertEquals("2", result.get(4));

            assertEquals("OK", redis.multi());
            redis.set("discarded", "1");
            assertEquals("OK", redis.discard());
            assertEquals(0L, redis.exists("discarded"));

            assertEquals("OK", redis.multi());
            TransactionResult empty = redis.exec();
            assertEquals(0, empty.size());
        }
    }

    @Test
    void expiryIsObservedThroughLettuce() {
        RedisCommands<String, String> redis = connect(null).sync();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("f", "v");
        redis.hset("soon", fields);
        assertTrue(redis.pexpire("soon", 50));
        Poll.until(Duration.ofSeconds(5), "the key with PEXPIRE 50 to be gone",
                () -> redis.exists("soon") == 0 ? true : null);
        assertEquals(Map.of(), redis.hgetall("soon"));
        assertEquals(-2L, redis.pttl("soon"));
    }
}
