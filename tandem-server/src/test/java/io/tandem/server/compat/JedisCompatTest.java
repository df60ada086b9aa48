package io.tandem.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.storage.wal.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.commands.JedisCommands;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Jedis 8 against an in-process Tandem node: a single Jedis (RESP2, and RESP3 via HELLO 3), the pooled
 * RedisClient (Jedis 8's successor of JedisPooled, which 8.0 no longer has) and JedisPool.
 */
class JedisCompatTest {
    @TempDir
    static Path dir;
    static TandemNode node;

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
        try (Jedis jedis = new Jedis("127.0.0.1", node.port())) {
            jedis.flushAll();
        }
    }

    @Test
    void singleJedisOverResp2() {
        try (Jedis jedis = new Jedis("127.0.0.1", node.port())) {
            assertEquals("PONG", jedis.ping());
            assertEquals("hi", jedis.echo("hi"));
            exercise(jedis);
            assertEquals("OK", jedis.clientSetname("jedis-app"));
            assertEquals("jedis-app", jedis.clientGetname());
            assertTrue(jedis.clientId() > 0);
        }
    }

    @Test
    void singleJedisOverResp3() {
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP3).build();
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", node.port()), config)) {
            assertTrue(jedis.clientInfo().contains("resp=3"), jedis.clientInfo());
            exercise(jedis);
        }
    }

    @Test
    void pooledRedisClient() throws Exception {
        try (RedisClient client = RedisClient.builder().hostAndPort("127.0.0.1", node.port()).build()) {
            exercise(client);
            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    done.add(threads.submit(() -> {
                        for (int i = 0; i < 250; i++) {
                            client.incr("shared");
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
            assertEquals("1000", client.get("shared"));
        }
    }

    @Test
    @SuppressWarnings("deprecation") // JedisPool is deprecated in Jedis 8 (for RedisClient) but still widely used
    void jedisPool() {
        try (JedisPool pool = new JedisPool("127.0.0.1", node.port())) {
            for (int i = 0; i < 5; i++) {
                try (Jedis jedis = pool.getResource()) {
                    assertEquals(i + 1L, jedis.incr("pooled"));
                }
            }
        }
    }

    /** Strings, integers, hashes, sets, lists, expiry, keys and errors. */
    @SuppressWarnings("deprecation") // SETNX and GETSET are deprecated in the client, and tested all the same
    private static void exercise(JedisCommands redis) {
        assertEquals("OK", redis.set("s", "v"));
        assertEquals("v", redis.get("s"));
        assertNull(redis.get("missing"));
        assertNull(redis.set("s", "w", SetParams.setParams().nx()));
        assertEquals("OK", redis.set("s", "w", SetParams.setParams().xx().ex(100)));
        assertTrue(redis.ttl("s") > 90);
        assertEquals("w", redis.setGet("s", "x"));
        assertEquals(1L, redis.setnx("nx", "1"));
        assertEquals(0L, redis.setnx("nx", "2"));
        assertEquals("1", redis.getSet("nx", "3"));
        assertEquals("OK", redis.mset("m1", "a", "m2", "b"));
        assertEquals(java.util.Arrays.asList("a", null, "b"), redis.mget("m1", "nope", "m2"));
        assertEquals(6L, redis.append("m1", "bcdef"));
        assertEquals(6L, redis.strlen("m1"));

        assertEquals(1L, redis.incr("n"));
        assertEquals(11L, redis.incrBy("n", 10));
        assertEquals(10L, redis.decr("n"));
        assertEquals(-5L, redis.decrBy("n", 15));
        redis.set("n", Long.toString(Long.MAX_VALUE));
        JedisDataException overflow = assertThrows(JedisDataException.class, () -> redis.incr("n"));
        assertEquals("ERR increment or decrement would overflow", overflow.getMessage());

        assertEquals(2L, redis.hset("h", Map.of("f1", "v1", "f2", "v2")));
        assertEquals(0L, redis.hset("h", "f1", "new"));
        assertEquals("new", redis.hget("h", "f1"));
        assertEquals(Map.of("f1", "new", "f2", "v2"), redis.hgetAll("h"));
        assertEquals(2L, redis.hlen("h"));
        assertTrue(redis.hexists("h", "f2"));
        assertEquals(7L, redis.hincrBy("h", "c", 7));
        assertEquals(Set.of("f1", "f2", "c"), Set.copyOf(redis.hkeys("h")));
        assertEquals(Set.of("new", "v2", "7"), Set.copyOf(redis.hvals("h")));
        assertEquals(1L, redis.hdel("h", "f1", "f1"));
        JedisDataException notInteger = assertThrows(JedisDataException.class, () -> redis.hincrBy("h", "f2", 1));
        assertEquals("ERR hash value is not an integer", notInteger.getMessage());

        assertEquals(3L, redis.sadd("set", "a", "b", "c", "a"));
        assertEquals(Set.of("a", "b", "c"), redis.smembers("set"));
        assertTrue(redis.sismember("set", "a"));
        assertEquals(1L, redis.srem("set", "a"));
        assertEquals(2L, redis.scard("set"));
        assertTrue(Set.of("b", "c").contains(redis.spop("set")));
        assertEquals(1, redis.spop("set", 3).size());
        assertEquals(false, redis.exists("set"));

        assertEquals(2L, redis.rpush("l", "b", "c"));
        assertEquals(3L, redis.lpush("l", "a"));
        assertEquals(List.of("a", "b", "c"), redis.lrange("l", 0, -1));
        assertEquals("b", redis.lindex("l", 1));
        assertEquals(3L, redis.llen("l"));
        assertEquals("a", redis.lpop("l"));
        assertEquals(List.of("c", "b"), redis.rpop("l", 5));
        assertNull(redis.rpop("l"));

        JedisDataException wrongType = assertThrows(JedisDataException.class, () -> redis.get("h"));
        assertEquals("WRONGTYPE Operation against a key holding the wrong kind of value", wrongType.getMessage());
        assertEquals("hash", redis.type("h"));
        assertEquals("none", redis.type("missing"));

        assertEquals(1L, redis.expire("s", 100));
        assertEquals(0L, redis.expire("s", 50, ExpiryOption.GT));
        assertEquals(1L, redis.pexpire("s", 500_000, ExpiryOption.XX));
        assertTrue(redis.pttl("s") > 400_000);
        assertEquals(1L, redis.persist("s"));
        assertEquals(-1L, redis.ttl("s"));
        assertEquals(-2L, redis.ttl("missing"));
        redis.set("soon", "v", SetParams.setParams().px(50));
        Poll.until(Duration.ofSeconds(5), "the key set with PX 50 to be gone",
                () -> redis.exists("soon") ? null : true);
        assertNull(redis.get("soon"));

        for (int i = 0; i < 25; i++) {
            redis.set("scan:" + i, "x");
        }
        Set<String> scanned = new TreeSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = redis.scan(cursor, new ScanParams().match("scan:*").count(10));
            scanned.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        assertEquals(25, scanned.size());
        assertEquals(25, redis.keys("scan:*").size());
        assertEquals(2L, redis.exists("scan:1", "scan:1"));
        assertEquals(2L, redis.del("scan:1", "scan:2"));
        assertEquals(1L, redis.unlink("scan:3"));
    }

    @Test
    void transactionsAndPipelines() {
        try (Jedis jedis = new Jedis("127.0.0.1", node.port())) {
            jedis.set("str", "v");
            Transaction tx = jedis.multi();
            tx.set("a", "1");
            tx.incr("a");
            tx.lpush("str", "x");
            tx.hset("h", "f", "v");
            tx.get("a");
            List<Object> results = tx.exec();
            assertEquals(5, results.size());
            assertEquals("OK", results.get(0));
            assertEquals(2L, results.get(1));
            assertInstanceOf(JedisDataException.class, results.get(2), "WRONGTYPE inside EXEC: " + results);
            assertEquals(1L, results.get(3));
            assertEquals("2", results.get(4));

            Transaction discarded = jedis.multi();
            discarded.set("gone", "1");
            assertEquals("OK", discarded.discard());
            assertEquals(false, jedis.exists("gone"));

            Pipeline pipeline = jedis.pipelined();
            List<Response<Long>> increments = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                pipeline.set("p:" + i, Integer.toString(i));
                increments.add(pipeline.incr("counter"));
            }
            Response<List<String>> range = pipeline.lrange("nolist", 0, -1);
            Response<String> wrong = pipeline.get("h");
            pipeline.sync();
            for (int i = 0; i < 500; i++) {
                assertEquals(i + 1L, increments.get(i).get());
            }
            assertEquals(List.of(), range.get());
            assertThrows(JedisDataException.class, wrong::get);
            assertEquals("499", jedis.get("p:499"));
        }
    }
}
