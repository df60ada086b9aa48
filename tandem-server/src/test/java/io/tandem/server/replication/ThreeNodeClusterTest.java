package io.tandem.server.replication;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every test of a {@link ThreeNodeCluster} shares: a fresh directory for its nodes' data, and the cluster
 * stopped after each test whatever the test did.
 */
abstract class ThreeNodeClusterTest {
    @TempDir
    Path dir;

    /** Set by the test before it starts the nodes, so that the ones that did start are stopped if one fails. */
    ThreeNodeCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
