package io.tandem.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.storage.wal.FsyncPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreTheDocumentedOnes() {
        NodeConfig c = NodeConfigLoader.load(Map.of(), Map.of(), null);
        assertEquals("127.0.0.1", c.bind());
        assertEquals(7379, c.port());
        assertEquals(17379, c.adminPort());
        assertEquals(FsyncPolicy.BATCH, c.fsync());
        assertTrue(c.protectedMode());
        assertFalse(c.passwordRequired());
        assertEquals(512 * 1024 * 1024, c.protoMaxBulkLen());
        assertEquals(256L * 1024 * 1024, c.snapshotAfterLogBytes());
        assertEquals(300, c.idleSpinMicros());
    }

    @Test
    void idleSpinMicrosIsBounded() {
        assertEquals(0, NodeConfigLoader.load(Map.of("idle-spin-micros", "0"), Map.of(), null).idleSpinMicros());
        ConfigException above = assertThrows(ConfigException.class,
                () -> NodeConfigLoader.load(Map.of("idle-spin-micros", "100001"), Map.of(), null));
        assertEquals("invalid value for 'idle-spin-micros': '100001' (flag --idle-spin-micros): must be between 0 and"
                + " 100000", above.getMessage());
        assertThrows(ConfigException.class,
                () -> NodeConfigLoader.load(Map.of("idle-spin-micros", "-5"), Map.of(), null));
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile() throws IOException {
        Path file = dir.resolve("tandem.conf");
        Files.writeString(file, "# a comment\nport 7000\nfsync always\nrequirepass \"from file\"\nhz 20\n");
        NodeConfig fileOnly = NodeConfigLoader.load(Map.of(), Map.of(), file);
        assertEquals(7000, fileOnly.port());
        assertEquals("from file", fileOnly.requirepass());
        NodeConfig withEnv = NodeConfigLoader.load(Map.of(), Map.of("TANDEM_PORT", "7001", "TANDEM_FSYNC", "never"),
                file);
        assertEquals(7001, withEnv.port());
        assertEquals(FsyncPolicy.NEVER, withEnv.fsync());
        assertEquals(20, withEnv.hz());
        NodeConfig withFlag = NodeConfigLoader.load(Map.of("port", "7002"), Map.of("TANDEM_PORT", "7001"), file);
        assertEquals(7002, withFlag.port());
        assertEquals(FsyncPolicy.ALWAYS, withFlag.fsync());
    }

    @Test
    void aBadValueNamesTheKeyTheValueAndTheSource() throws IOException {
        ConfigException flag = assertThrows(ConfigException.class,
                () -> NodeConfigLoader.load(Map.of("port", "abc"), Map.of(), null));
        assertEquals("invalid value for 'port': 'abc' (flag --port): not an integer", flag.getMessage());

        ConfigException env = assertThrows(ConfigException.class,
                () -> NodeConfigLoader.load(Map.of(), Map.of("TANDEM_FSYNC", "sometimes"), null));
        assertTrue(env.getMessage().startsWith("invalid value for 'fsync': 'sometimes' (environment variable "
                + "TANDEM_FSYNC)"), env.getMessage());
        assertTrue(env.getMessage().contains("always, batch, everysec, never"), env.getMessage());

        Path file = dir.resolve("bad.conf");
        Files.writeString(file, "port 70000\n");
        ConfigException range = assertThrows(ConfigException.class, () -> NodeConfigLoader.load(Map.of(), Map.of(), file));
        assertEquals("invalid value for 'port': '70000' (" + file + " line 1): must be between 0 and 65535",
                range.getMessage());

        Files.writeString(file, "\n\nprot 7000\n");
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> NodeConfigLoader.load(Map.of(), Map.of(), file));
        assertTrue(unknown.getMessage().startsWith("unknown configuration key 'prot' (" + file + " line 3)"),
                unknown.getMessage());

        assertThrows(ConfigException.class, () -> NodeConfigLoader.load(Map.of("protected-mode", "maybe"), Map.of(), null));
        assertThrows(ConfigException.class, () -> NodeConfigLoader.load(Map.of("wal-segment-bytes", "12x"), Map.of(), null));
        assertThrows(ConfigException.class, () -> NodeConfigLoader.load(Map.of(), Map.of(), dir.resolve("missing.conf")));
    }

    @Test
    void sizesTakeRedisUnits() {
        assertEquals(64L * 1024 * 1024, NodeConfigLoader.parseBytes("64mb"));
        assertEquals(64_000_000L, NodeConfigLoader.parseBytes("64m"));
        assertEquals(1024, NodeConfigLoader.parseBytes("1KB"));
        assertEquals(1L << 30, NodeConfigLoader.parseBytes("1gb"));
        assertEquals(123, NodeConfigLoader.parseBytes("123"));
        assertThrows(NumberFormatException.class, () -> NodeConfigLoader.parseBytes("mb"));
    }

    @Test
    void everyKeyIsDocumentedWithItsDefault() throws IOException {
        String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
        for (ConfigKey key : ConfigKey.all()) {
            String expected = "| `" + key.name() + "` | "
                    + (key.defaultValue().isEmpty() ? "(none)" : "`" + key.defaultValue() + "`") + " |";
            assertTrue(docs.contains(expected), "docs/configuration.md lacks the row for " + key.name()
                    + " with its default: " + expected);
        }
    }

    @Test
    void electionsAreOnByDefaultForANodeWithPeersOffForANodeAloneAndEveryNodeMayStand() {
        ReplicationSettings alone = NodeConfigLoader.load(Map.of(), Map.of(), null).replication();
        assertEquals(0, alone.electionTimeoutMillis(), "a node alone has nothing to elect");
        assertFalse(alone.elections());
        assertEquals(1, alone.priority());
        ReplicationSettings member = NodeConfigLoader.load(Map.of("peers", "n2=127.0.0.1:27001"), Map.of(), null)
                .replication();
        assertEquals(500, member.electionTimeoutMillis(), "auto: five heartbeats of 100 ms");
        ReplicationSettings slower = NodeConfigLoader.load(Map.of("peers", "n2=127.0.0.1:27001",
                "heartbeat-interval-millis", "300"), Map.of(), null).replication();
        assertEquals(1500, slower.electionTimeoutMillis(), "auto follows the heartbeat");
        ReplicationSettings byHand = NodeConfigLoader.load(Map.of("peers", "n2=127.0.0.1:27001",
                "election-timeout-millis", "0"), Map.of(), null).replication();
        assertFalse(byHand.elections());
        ReplicationSettings on = NodeConfigLoader.load(Map.of("election-timeout-millis", "700", "priority", "0"),
                Map.of(), null).replication();
        assertEquals(700, on.electionTimeoutMillis());
        assertTrue(on.elections());
        assertEquals(0, on.priority());
    }

    @Test
    void aReadLeaseIsShorterThanTheElectionTimeout() {
        assertEquals(0, NodeConfigLoader.load(Map.of(), Map.of(), null).replication().readLeaseMillis());
        assertEquals(400, NodeConfigLoader.load(Map.of("peers", "n2=127.0.0.1:27001", "read-lease-millis", "400"),
                Map.of(), null).replication().readLeaseMillis());
        ConfigException tooLong = assertThrows(ConfigException.class, () -> NodeConfigLoader.load(
                Map.of("peers", "n2=127.0.0.1:27001", "read-lease-millis", "500"), Map.of(), null));
        assertTrue(tooLong.getMessage().startsWith("invalid value for 'read-lease-millis': '500'")
                && tooLong.getMessage().contains("must be below election-timeout-millis (500)"), tooLong.getMessage());
        ConfigException alone = assertThrows(ConfigException.class, () -> NodeConfigLoader.load(
                Map.of("read-lease-millis", "100"), Map.of(), null));
        assertTrue(alone.getMessage().contains("lease reads need elections"), alone.getMessage());
    }

    @Test
    void announceIpIsAnIpAddressNotAHostName() {
        assertNull(NodeConfigLoader.load(Map.of(), Map.of(), null).replication().announceIp());
        assertEquals("10.0.0.7", NodeConfigLoader.load(Map.of("announce-ip", "10.0.0.7"), Map.of(), null).replication()
                .announceIp());
        assertEquals("fd00::7", NodeConfigLoader.load(Map.of("announce-ip", "fd00::7"), Map.of(), null).replication()
                .announceIp());
        for (String bad : new String[] {"db-1.example.com", "10.0.0.256", "10.0.0"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> NodeConfigLoader.load(Map.of("announce-ip", bad), Map.of(), null));
            assertTrue(e.getMessage().startsWith("invalid value for 'announce-ip': '" + bad + "'")
                    && e.getMessage().contains("is not an IP address"), e.getMessage());
        }
    }

    @Test
    void anElectionTimeoutBelowTwoHeartbeatsOrNotANumberIsRefusedByName() {
        ConfigException tooShort = assertThrows(ConfigException.class, () -> NodeConfigLoader.load(
                Map.of("election-timeout-millis", "150", "heartbeat-interval-millis", "100"), Map.of(), null));
        assertEquals("invalid value for 'election-timeout-millis': '150' (flag --election-timeout-millis): must be 0"
                + " (failover by hand) or at least twice heartbeat-interval-millis (100), so at least 200",
                tooShort.getMessage());
        ConfigException negative = assertThrows(ConfigException.class,
                () -> NodeConfigLoader.load(Map.of(), Map.of("TANDEM_ELECTION_TIMEOUT_MILLIS", "-1"), null));
        assertTrue(negative.getMessage().startsWith("invalid value for 'election-timeout-millis': '-1' (environment"
                + " variable TANDEM_ELECTION_TIMEOUT_MILLIS): must be between 0 and"), negative.getMessage());
        ConfigException priority = assertThrows(ConfigException.class,
                () -> NodeConfigLoader.load(Map.of("priority", "high"), Map.of(), null));
        assertEquals("invalid value for 'priority': 'high' (flag --priority): not an integer", priority.getMessage());
        ConfigException negativePriority = assertThrows(ConfigException.class,
                () -> NodeConfigLoader.load(Map.of("priority", "-2"), Map.of(), null));
        assertEquals("invalid value for 'priority': '-2' (flag --priority): must be between 0 and 1000",
                negativePriority.getMessage());
    }

    @Test
    void maxLagOnFailoverIsReadAndANegativeOneRefusedByName() {
        assertEquals(0, NodeConfigLoader.load(Map.of(), Map.of(), null).replication().maxLagOnFailoverEntries());
        assertEquals(5000, NodeConfigLoader.load(Map.of("max-lag-on-failover-entries", "5000"), Map.of(), null)
                .replication().maxLagOnFailoverEntries());
        ConfigException negative = assertThrows(ConfigException.class, () -> NodeConfigLoader.load(
                Map.of("max-lag-on-failover-entries", "-1"), Map.of(), null));
        assertTrue(negative.getMessage().startsWith("invalid value for 'max-lag-on-failover-entries': '-1' (flag"
                + " --max-lag-on-failover-entries): must be between 0 and"), negative.getMessage());
    }
}
