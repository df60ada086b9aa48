package io.tandem.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient.Builder;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * With requirepass set: the raw protocol (compared with a real Redis that has the same password), and
 * Lettuce, Jedis and redis-cli with the right and a wrong password.
 */
class RequirePassCompatTest {
    static final String PASSWORD = "s3cret";

    @TempDir
    static Path dir;
    static DifferentialServers servers;

    @BeforeAll
    static void start() throws Exception {
        servers = DifferentialServers.start(dir, PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    void rawProtocolMatchesRedis() throws Exception {
        servers.assertSameTranscriptFromConnect("requirepass.redis");
    }

    @Test
    void noauthTextsOfHelloAndExec() throws Exception {
        servers.assertSameTranscriptFromConnect("requirepass-noauth.redis");
    }

    /**
     * The clients show the server's error; the one known difference in its text (see
     * {@link #noauthTextsOfHelloAndExec}) is leveled here, so that these tests compare the rest.
     */
    private static String withKnownHelloTextLeveled(String outcome) {
        return outcome.replace("the HELLO <proto> AUTH <user> <pass> option", "the HELLO AUTH <user> <pass> option");
    }

    /**
     * Lettuce with the right password, a wrong one and none, over RESP3 and RESP2: the outcome (connected and
     * GET worked, or the error) must be the one Redis gives, and with the right password it must work.
     */
    @Test
    void lettuceWithThePasswordWorksAndWithAWrongOneFailsAsWithRedis() {
        for (ProtocolVersion protocol : new ProtocolVersion[] {ProtocolVersion.RESP3, ProtocolVersion.RESP2}) {
            for (String password : new String[] {PASSWORD, "wrong", null}) {
                String redis = lettuceOutcome(servers.redisPort(), protocol, password);
                String tandem = withKnownHelloTextLeveled(lettuceOutcome(servers.tandemPort(), protocol, password));
                assertEquals(redis, tandem, "Lettuce over " + protocol + " with password " + password);
                if (PASSWORD.equals(password)) {
                    assertEquals("connected: OK yes", tandem);
                }
            }
        }
    }

    /**
     * Lettuce's own race, seen under CI load: when the server's error to HELLO arrives before Lettuce's
     * connect listener runs, the listener finds its handshake handler already gone and reports this instead
     * of the server's error. The server's reply is lost inside the client, so the attempt says nothing about
     * the server; it is made again, a bounded number of times.
     */
    private static final String LETTUCE_HANDSHAKE_RACE =
            "refused: IllegalStateException: RedisHandshakeHandler not registered";

    private static String lettuceOutcome(int port, ProtocolVersion protocol, String password) {
        String outcome = lettuceAttempt(port, protocol, password);
        for (int attempt = 2; attempt <= 5 && outcome.equals(LETTUCE_HANDSHAKE_RACE); attempt++) {
            outcome = lettuceAttempt(port, protocol, password);
        }
        return outcome;
    }

    private static String lettuceAttempt(int port, ProtocolVersion protocol, String password) {
        RedisURI.Builder uri = RedisURI.builder().withHost("127.0.0.1").withPort(port)
                .withTimeout(Duration.ofSeconds(10));
        if (password != null) {
            uri.withPassword(password.toCharArray());
        }
        RedisClient client = RedisClient.create(uri.build());
        client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            try {
                return "connected: " + connection.sync().set("lettuce", "yes") + " " + connection.sync().get("lettuce");
            } catch (RuntimeException e) {
                return "connected, then: " + rootMessage(e);
            }
        } catch (RedisConnectionException e) {
            return "refused: " + rootMessage(e);
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    /** The server's error (the innermost cause), without addresses that differ between the servers. */
    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /** Jedis (single and pooled) with the right password, a wrong one and none: as with Redis. */
    @Test
    void jedisWithThePasswordWorksAndWithAWrongOneFailsAsWithRedis() {
        for (RedisProtocol protocol : new RedisProtocol[] {RedisProtocol.RESP2, RedisProtocol.RESP3}) {
            for (String password : new String[] {PASSWORD, "wrong", null}) {
                String redis = jedisOutcome(servers.redisPort(), protocol, password);
                String tandem = withKnownHelloTextLeveled(jedisOutcome(servers.tandemPort(), protocol, password));
                assertEquals(redis, tandem, "Jedis over " + protocol + " with password " + password);
                if (PASSWORD.equals(password)) {
                    assertEquals("OK yes | pooled: 1", tandem);
                }
            }
        }
        try (Jedis jedis = new Jedis("127.0.0.1", servers.tandemPort())) {
            JedisDataException noauth = assertThrows(JedisDataException.class, () -> jedis.get("jedis"));
            assertEquals("NOAUTH Authentication required.", noauth.getMessage());
            assertEquals("OK", jedis.auth(PASSWORD));
            assertEquals("yes", jedis.get("jedis"));
        }
    }

    private static String jedisOutcome(int port, RedisProtocol protocol, String password) {
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().password(password).protocol(protocol)
                .socketTimeoutMillis(10_000).build();
        String single;
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", port), config)) {
            single = jedis.set("jedis", "yes") + " " + jedis.get("jedis");
        } catch (RuntimeException e) {
            single = rootMessage(e);
        }
        String pooled;
        try (redis.clients.jedis.RedisClient client = new Builder().hostAndPort("127.0.0.1", port)
                .clientConfig(config).build()) {
            client.del("pooled");
            pooled = Long.toString(client.incr("pooled"));
        } catch (RuntimeException e) {
            pooled = rootMessage(e);
        }
        return single + " | pooled: " + pooled;
    }

    @Test
    void redisCliWithThePasswordAnswersAsRedisDoes() throws Exception {
        String[][] invocations = {
            {"--no-auth-warning", "-a", PASSWORD, "SET", "cli", "yes"},
            {"--no-auth-warning", "-a", PASSWORD, "GET", "cli"},
            {"GET", "cli"},
            {"--no-auth-warning", "-a", "wrong", "GET", "cli"},
            {"--no-auth-warning", "-a", PASSWORD, "-3", "GET", "cli"},
            {"--no-auth-warning", "-a", "wrong", "-3", "GET", "cli"},
        };
        for (String[] args : invocations) {
            RedisCli.Result redis = RedisCli.exec("redis-cli", servers.redisPort(), "", args);
            RedisCli.Result tandem = RedisCli.exec("redis-cli", servers.tandemPort(), "", args);
            assertEquals(redis.toString(), tandem.toString(), "redis-cli " + String.join(" ", args));
        }
        assertEquals("yes\n", RedisCli.run(servers.tandemPort(), "", "--no-auth-warning", "-a", PASSWORD, "GET",
                "cli"));
    }
}
