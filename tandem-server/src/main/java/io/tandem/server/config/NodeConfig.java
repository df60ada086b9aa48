package io.tandem.server.config;

import io.tandem.storage.wal.FsyncPolicy;
import java.nio.file.Path;

/**
 * The validated configuration of one node. Built once at start-up by {@link NodeConfigLoader}; every
 * value here has passed its checks, so the rest of the server never re-validates.
 *
 * @param adminPort -1 = no admin port, 0 = a free port, otherwise the port
 */
public record NodeConfig(
        String bind,
        int port,
        int adminPort,
        Path dataDir,
        FsyncPolicy fsync,
        String requirepass,
        boolean protectedMode,
        int maxClients,
        int protoMaxBulkLen,
        int maxRequestArgs,
        long walSegmentBytes,
        long walMaxPendingBytes,
        long snapshotAfterLogBytes,
        int hz,
        int idleSpinMicros,
        ReplicationSettings replication,
        PubSubSettings pubSub) {

    public boolean passwordRequired() {
        return !requirepass.isEmpty();
    }

    /** The configuration of a node on loopback with free ports, for tests and tools. */
    public static NodeConfig forTest(Path dataDir, FsyncPolicy fsync) {
        return NodeConfigLoader.load(java.util.Map.of("port", "0", "admin-port", "0", "data-dir", dataDir.toString(),
                "fsync", fsync.configName()), java.util.Map.of(), null);
    }

    public NodeConfig withRequirepass(String password) {
        return new NodeConfig(bind, port, adminPort, dataDir, fsync, password, protectedMode, maxClients,
                protoMaxBulkLen, maxRequestArgs, walSegmentBytes, walMaxPendingBytes, snapshotAfterLogBytes, hz,
                idleSpinMicros, replication, pubSub);
    }


    public NodeConfig withDataDir(Path directory) {
        return new NodeConfig(bind, port, adminPort, directory, fsync, requirepass, protectedMode, maxClients,
                protoMaxBulkLen, maxRequestArgs, walSegmentBytes, walMaxPendingBytes, snapshotAfterLogBytes, hz,
                idleSpinMicros, replication, pubSub);
    }


    public NodeConfig withBind(String address) {
        return new NodeConfig(address, port, adminPort, dataDir, fsync, requirepass, protectedMode, maxClients,
                protoMaxBulkLen, maxRequestArgs, walSegmentBytes, walMaxPendingBytes, snapshotAfterLogBytes, hz,
                idleSpinMicros, replication, pubSub);
    }
}
