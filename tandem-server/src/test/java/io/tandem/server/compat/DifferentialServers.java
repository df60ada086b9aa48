package io.tandem.server.compat;

import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.storage.wal.FsyncPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real Redis and an in-process Tandem node side by side: scripts run over one raw RESP connection to
 * each, and their transcripts must be equal.
 */
final class DifferentialServers implements AutoCloseable {
    private final RedisServerProcess redis;
    private final TandemNode tandem;

    private DifferentialServers(RedisServerProcess redis, TandemNode tandem) {
        this.redis = redis;
        this.tandem = tandem;
    }

    static DifferentialServers start(Path dir) throws IOException {
        return start(dir, "");
    }

    /** Both servers with the same requirepass ("" for none). */
    static DifferentialServers start(Path dir, String requirepass) throws IOException {
        Path redisDir = Files.createDirectories(dir.resolve("redis"));
        RedisServerProcess redis = requirepass.isEmpty() ? RedisServerProcess.start(redisDir)
                : RedisServerProcess.start(redisDir, "--requirepass", requirepass);
        try {
            NodeConfig config = NodeConfig.forTest(dir.resolve("tandem"), FsyncPolicy.BATCH);
            TandemNode tandem = TandemNode.start(requirepass.isEmpty() ? config : config.withRequirepass(requirepass));
            return new DifferentialServers(redis, tandem);
        } catch (IOException | RuntimeException e) {
            redis.close();
            throw e;
        }
    }

    int redisPort() {
        return redis.port();
    }

    int tandemPort() {
        return tandem.port();
    }

    /** Runs the lines on both servers (each on a fresh connection after FLUSHALL); fails with a diff. */
    void assertSameTranscript(String title, List<ScriptLine> lines) throws IOException {
        failOnDiff(diff(title, lines, true));
    }

    /** As {@link #assertSameTranscript(String)}, without the FLUSHALL first (for a connection not yet allowed to). */
    void assertSameTranscriptFromConnect(String scriptResource) throws IOException {
        failOnDiff(diff(scriptResource, ScriptParser.resource("compat/scripts/" + scriptResource), false));
    }

    private static void failOnDiff(String diff) {
        if (diff != null) {
            String message = diff + "\n(compared with " + RedisServerProcess.version()
                    + "; the scripts follow Redis 7.0)";
            System.out.println(message);
            throw new AssertionError(message);
        }
    }

    /** Null when both servers answer the same. */
    String diff(String title, List<ScriptLine> lines) throws IOException {
        return diff(title, lines, true);
    }

    private String diff(String title, List<ScriptLine> lines, boolean flushFirst) throws IOException {
        List<String> fromRedis = TranscriptRunner.run(redis.port(), lines, flushFirst);
        List<String> fromTandem = TranscriptRunner.run(tandem.port(), lines, flushFirst);
        if (Boolean.getBoolean("tandem.compat.print")) {
            // -Dtandem.compat.print=true: every line with both replies, to see what a script covers.
            for (int i = 0; i < lines.size(); i++) {
                String same = fromRedis.get(i).equals(fromTandem.get(i)) ? "" : "  != tandem " + fromTandem.get(i);
                System.out.printf("%-24s %-50s | %s%s%n", lines.get(i).where(), lines.get(i).source(),
                        fromRedis.get(i), same);
            }
        }
        return TranscriptDiff.compare(title, lines, fromRedis, fromTandem);
    }

    void assertSameTranscript(String scriptResource) throws IOException {
        assertSameTranscript(scriptResource, ScriptParser.resource("compat/scripts/" + scriptResource));
    }

    @Override
    public void close() {
        try {
            tandem.close();
        } finally {
            redis.close();
        }
    }
}
