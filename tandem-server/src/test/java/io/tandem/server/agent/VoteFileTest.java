package io.tandem.server.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.NodeId;
import io.tandem.storage.files.FileCorruptionException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable term and vote: what a node must never forget across a crash, and never guess at. */
class VoteFileTest {
    @TempDir
    Path dataDir;

    @Test
    void aMissingFileIsNoVoteInNoTerm() throws Exception {
        assertEquals(VoteFile.Vote.NONE, new VoteFile(dataDir).read());
    }

    @Test
    void theTermAndVoteRoundTripAndTheLastWriteWins() throws Exception {
        VoteFile file = new VoteFile(dataDir);
        file.write(new VoteFile.Vote(7, NodeId.of("n2")));
        assertEquals(new VoteFile.Vote(7, NodeId.of("n2")), new VoteFile(dataDir).read());
        file.write(new VoteFile.Vote(8, null));
        assertEquals(new VoteFile.Vote(8, null), new VoteFile(dataDir).read());
        file.write(new VoteFile.Vote(Long.MAX_VALUE, NodeId.of("replica-with.long_name-" + "x".repeat(40))));
        assertEquals(new VoteFile.Vote(Long.MAX_VALUE, NodeId.of("replica-with.long_name-" + "x".repeat(40))),
                file.read());
        assertFalse(Files.exists(dataDir.resolve(VoteFile.TMP_NAME)), "the temporary file was renamed away");
        String text = Files.readString(dataDir.resolve(VoteFile.NAME));
        assertTrue(text.startsWith("tandem-vote 1 term=" + Long.MAX_VALUE + " voted-for=replica"), text);
    }

    @Test
    void theVoteFloorRoundTripsAndAFileWithoutOneHasNone() throws Exception {
        VoteFile file = new VoteFile(dataDir);
        file.write(new VoteFile.Vote(9, null, 7, 1204));
        assertEquals(new VoteFile.Vote(9, null, 7, 1204), file.read());
        assertTrue(Files.readString(dataDir.resolve(VoteFile.NAME)).startsWith(
                "tandem-vote 1 term=9 voted-for= vote-floor=7/1204 crc32c="));
        file.write(file.read().withVote(10, NodeId.of("n3")));
        assertEquals(new VoteFile.Vote(10, NodeId.of("n3"), 7, 1204), file.read(), "a new vote keeps the floor");
        // Written before there was a floor (or by a node that never rewound): floor 0/0, the line as it was.
        file.write(new VoteFile.Vote(11, NodeId.of("n1")));
        assertEquals(new VoteFile.Vote(11, NodeId.of("n1"), 0, 0), file.read());
        assertFalse(Files.readString(dataDir.resolve(VoteFile.NAME)).contains("vote-floor"));
    }

    @Test
    void aCrashBeforeTheRenameLeavesTheOldVote() throws Exception {
        // The write is a temporary file renamed over the old one: a crash before the rename leaves vote.tmp
        // (complete or not) beside the old, intact vote, which is what the node reads back.
        VoteFile file = new VoteFile(dataDir);
        file.write(new VoteFile.Vote(5, NodeId.of("n1")));
        Files.writeString(dataDir.resolve(VoteFile.TMP_NAME), "tandem-vote 1 term=6 voted-f");
        assertEquals(new VoteFile.Vote(5, NodeId.of("n1")), new VoteFile(dataDir).read());
        file.write(new VoteFile.Vote(6, NodeId.of("n3"))); // the next write replaces the leftover
        assertEquals(new VoteFile.Vote(6, NodeId.of("n3")), file.read());
    }

    @Test
    void aFlippedByteFailsTheChecksumAndNamesTheFileAndOffset() throws Exception {
        VoteFile file = new VoteFile(dataDir);
        file.write(new VoteFile.Vote(12, NodeId.of("n2")));
        Path path = dataDir.resolve(VoteFile.NAME);
        byte[] bytes = Files.readAllBytes(path);
        bytes[19] = (byte) '3'; // "term=12" becomes "term=32": still parses, but the CRC says no
        Files.write(path, bytes);
        FileCorruptionException e = assertThrows(FileCorruptionException.class, file::read);
        assertEquals(path, e.file());
        assertTrue(e.getMessage().startsWith("vote file " + path + " at offset "), e.getMessage());
        assertTrue(e.getMessage().contains("does not match the line"), e.getMessage());
    }

    @Test
    void whatIsNotAVoteFileIsRefusedNeverReadAsNoVote() throws Exception {
        Path path = dataDir.resolve(VoteFile.NAME);
        for (String[] bad : new String[][] {
                {"", "at offset 0: does not start with 'tandem-vote 1'"},
                {"hello\n", "at offset 0: does not start with 'tandem-vote 1'"},
                {"tandem-vote 1 term=3 voted-for=n2 crc32c=00000000", "the line is not complete (no newline)"},
                {"tandem-vote 1 term=3 voted-for=n2\n", "no crc32c field"},
                {"tandem-vote 1 term=3 voted-for=n2 crc32c=zz\n", "crc32c 'zz' does not match"},
                {withCrc("tandem-vote 1 term=x voted-for=n2"), "term 'term=x' is not a number"},
                {withCrc("tandem-vote 1 term=-4 voted-for=n2"), "negative term -4"},
                {withCrc("tandem-vote 1 term=4"), "expected 'term=N voted-for=ID'"},
                {withCrc("tandem-vote 1 term=4 voted-for=n 2"), "expected 'term=N voted-for=ID'"},
                {withCrc("tandem-vote 1 term=4 voted-for=n/2"), "voted-for:"},
                {withCrc("tandem-vote 1 term=4 voted-for=n2 floor=3/9"), "maybe 'vote-floor=TERM/LSN'"},
                {withCrc("tandem-vote 1 term=4 voted-for=n2 vote-floor=3"), "vote-floor '3' is not TERM/LSN"},
                {withCrc("tandem-vote 1 term=4 voted-for=n2 vote-floor=3/-9"), "vote-floor '3/-9' is not TERM/LSN"},
                {withCrc("tandem-vote 1 term=4 voted-for=n2 vote-floor=3/9 x=1"), "expected 'term=N voted-for=ID'"},
                {"x".repeat(300), "longer than 256 bytes"}}) {
            Files.write(path, bad[0].getBytes(StandardCharsets.US_ASCII));
            FileCorruptionException e = assertThrows(FileCorruptionException.class, () -> new VoteFile(dataDir).read(),
                    bad[0]);
            assertTrue(e.getMessage().startsWith("vote file " + path), e.getMessage());
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + " -> " + e.getMessage());
        }
    }

    /** A line with a valid checksum, as the writer would produce for these (odd) contents. */
    private static String withCrc(String line) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(line.getBytes(StandardCharsets.US_ASCII));
        return line + " crc32c=" + java.util.HexFormat.of().toHexDigits((int) crc.getValue()) + "\n";
    }
}
