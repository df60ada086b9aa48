package io.tandem.server.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.NodeId;
import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.server.config.NodeConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a node does with its vote file at start-up, and that REPLICAOF NO ONE's new term survives a restart. */
class VoteFileStartupTest {
    @TempDir
    Path dataDir;

    private NodeConfig config() {
        return NodeConfigLoader.load(Map.of("port", "0", "admin-port", "-1", "data-dir", dataDir.toString()), Map.of(),
                null);
    }

    private static long term(TandemNode node) throws Exception {
        return node.onAgent(() -> node.agent().node().term());
    }

    @Test
    void aNodeStartsInTheVoteFilesTermWhenItIsAheadOfTheLog() throws Exception {
        new VoteFile(dataDir).write(new VoteFile.Vote(5, NodeId.of("n2")));
        try (TandemNode node = TandemNode.start(config())) {
            assertEquals(5, term(node));
        }
    }

    @Test
    void aNodeVotesByTheVoteFloorItsFileHoldsAndANewVoteKeepsIt() throws Exception {
        // A node that rewound to LSN 0 (its snapshot held a deposed leader's entries) and crashed before it was
        // bootstrapped again: its log is empty, but it had entries up to (term 3, LSN 40).
        new VoteFile(dataDir).write(new VoteFile.Vote(5, NodeId.of("n2"), 3, 40));
        try (TandemNode node = TandemNode.start(config())) {
            assertEquals(0, node.onAgent(() -> node.agent().node().lastLsn()));
            assertEquals(3, node.onAgent(() -> node.agent().node().voteLastTerm()));
            assertEquals(40, node.onAgent(() -> node.agent().node().voteLastLsn()));
            node.onAgent(() -> {
                node.agent().persistVote(6, NodeId.of("n3"));
                return null;
            });
        }
        assertEquals(new VoteFile.Vote(6, NodeId.of("n3"), 3, 40), new VoteFile(dataDir).read());
    }

    @Test
    void aTermRaisedByReplicaofNoOneSurvivesARestart() throws Exception {
        try (TandemNode node = TandemNode.start(config())) {
            assertEquals(1, term(node));
            // A leader promoted again (as REPLICAOF NO ONE does on a follower) opens a new term.
            node.onAgent(() -> {
                node.agent().node().becomeLeader(4, System.currentTimeMillis(), node.agent());
                return null;
            });
            assertEquals(4, term(node));
        }
        assertEquals(new VoteFile.Vote(4, null), new VoteFile(dataDir).read());
        try (TandemNode node = TandemNode.start(config())) {
            assertEquals(4, term(node), "the term is durable although no entry of it was written");
        }
    }

    @Test
    void aDamagedVoteFileStopsStartUpNamingTheFile() throws Exception {
        Files.writeString(dataDir.resolve(VoteFile.NAME), "tandem-vote 1 term=3 voted-for=n2 crc32c=00000000\n");
        IOException e = assertThrows(IOException.class, () -> TandemNode.start(config()));
        assertTrue(e.getMessage().startsWith("vote file " + dataDir.resolve(VoteFile.NAME) + " at offset "),
                e.getMessage());
        // The node did not start: the data directory is free for the next attempt.
        Files.delete(dataDir.resolve(VoteFile.NAME));
        try (TandemNode node = TandemNode.start(config())) {
            assertEquals(1, term(node));
        }
    }
}
