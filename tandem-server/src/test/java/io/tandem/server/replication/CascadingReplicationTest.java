package io.tandem.server.replication;

import static io.tandem.server.replication.SnapshotBootstrapTest.infoLong;
import static io.tandem.server.replication.ThreeNodeCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.replication.ThreeNodeReplicationTest.Client;
import org.junit.jupiter.api.Test;

/**
 * Cascading on three real nodes in this JVM: n3 has upstream n2, so n1 streams to n2 and n2 relays to
 * n3. Under the policy "all" a write is acknowledged only once n3 has it durable, which the leader can
 * only know through n2's reports; n3 converges, and INFO shows the chain as Redis does (the leader lists
 * n2 as its replica, n2 lists n3) plus Tandem's line for n3 on the leader (state=relayed, via=n2).
 */
class CascadingReplicationTest extends ThreeNodeClusterTest {
    @Test
    void aCascadedReplicaIsFedByItsRelayAndCountsForTheLeadersPolicy() throws Exception {
        // Failover by hand: with elections, an election would have n3 follow the new leader directly.
        cluster = new ThreeNodeCluster(dir).set("ack-policy", "all").set("election-timeout-millis", "0")
                .setOn(2, "upstream", "n2").start();
        try (Client leader = new Client(cluster.port(0)); Client n2 = new Client(cluster.port(1));
                Client n3 = new Client(cluster.port(2))) {
            for (int i = 0; i < 200; i++) {
                assertEquals("+OK", leader.call("SET", "k" + i, "v" + i).toString(), "all: n3 acknowledged via n2");
            }
            String digest = leader.call("TANDEM.DIGEST").toString();
            await(() -> digest.equals(n3.call("TANDEM.DIGEST").toString()), "n3 converges through n2");
            assertEquals("\"v199\"", n3.call("GET", "k199").toString());

            await(() -> info(leader).contains("state=relayed,via=n2"), "the leader sees n3 through n2");
            String leaderInfo = info(leader);
            assertTrue(leaderInfo.contains("connected_slaves:1"), "Redis's view: only n2 is the leader's: " + leaderInfo);
            assertTrue(leaderInfo.contains("id=n3,addr=127.0.0.1:" + cluster.port(2) + ",state=relayed")
                    && leaderInfo.contains("applied_lsn=200"), "n2 relays n3's address too: " + leaderInfo);
            String n2Info = info(n2);
            assertTrue(n2Info.contains("role:slave") && n2Info.contains("connected_slaves:1")
                    && n2Info.contains("port=" + cluster.port(2)), "n2 lists n3 as its replica: " + n2Info);
            assertTrue(n2Info.contains("master_port:" + cluster.port(0)), n2Info);
            assertTrue(info(n3).contains("master_port:" + cluster.port(1)), "n3's master is n2, as in Redis");
            // The commit point travels with heartbeats: n1 tells n2, n2 tells n3.
            await(() -> infoLong(n3, "tandem_commit_lsn") >= 200, "n2 passes the leader's commit point on");
        }
    }

    private static String info(Client client) throws Exception {
        return client.call("INFO", "replication").toString();
    }
}
