package io.tandem.server.agent;

import io.tandem.core.model.NodeId;
import io.tandem.storage.files.FileCorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The node's current term and whom it voted for in it, in {@code <data-dir>/vote}: what Raft calls the
 * persistent state besides the log. A node that forgot its vote after a crash could vote twice in one term
 * and help elect two leaders; one that forgot its term could accept a deposed leader. One text line, so an
 * operator can read it:
 *
 * <pre>
 * tandem-vote 1 term=7 voted-for=n2 crc32c=1a2b3c4d
 * tandem-vote 1 term=9 voted-for= vote-floor=7/1204 crc32c=5e6f7a8b
 * </pre>
 *
 * ({@code voted-for=} empty: no vote in that term). {@code vote-floor=TERM/LSN}, only there once the node
 * rewound: where its log ended before it dropped entries it had, which it votes by until its log passes it
 * again (ReplicaSetNode#voteLastTerm; a node that rewound to LSN 0 and crashed before the leader's snapshot
 * reached it would otherwise vote by an empty log). The CRC32C covers everything before {@code " crc32c="}.
 * Written to {@code vote.tmp}, fsynced, renamed over {@code vote} atomically, then the directory fsynced:
 * a crash leaves either the old file or the new one, never half of one. A file that does not parse or fails
 * its checksum stops start-up with an error naming the file, the offset and the problem: resetting it
 * silently is exactly the double vote the file exists to prevent.
 */
public final class VoteFile {
    public static final String NAME = "vote";
    static final String TMP_NAME = "vote.tmp";
    private static final String MAGIC = "tandem-vote 1 ";
    private static final String CRC_FIELD = " crc32c=";
    private static final String FLOOR_FIELD = "vote-floor=";
    /** The line is short (two terms, an LSN and a node id of at most 64 characters): anything longer is not ours. */
    private static final int MAX_BYTES = 256;

    /**
     * What the file holds: the term and the vote in it (null: none), and the vote floor (0/0: none). Term 0
     * when there is no file.
     */
    public record Vote(long term, NodeId votedFor, long floorTerm, long floorLsn) {
        public static final Vote NONE = new Vote(0, null);

        public Vote(long term, NodeId votedFor) {
            this(term, votedFor, 0, 0);
        }

        public Vote withVote(long newTerm, NodeId newVotedFor) {
            return new Vote(newTerm, newVotedFor, floorTerm, floorLsn);
        }

        public Vote withFloor(long newFloorTerm, long newFloorLsn) {
            return new Vote(term, votedFor, newFloorTerm, newFloorLsn);
        }
    }

    private final Path dataDir;
    private final Path file;

    public VoteFile(Path dataDir) {
        this.dataDir = dataDir;
        this.file = dataDir.resolve(NAME);
    }

    public Path path() {
        return file;
    }

    /** Reads the vote; {@link Vote#NONE} when the node never voted nor changed term (no file). */
    public Vote read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Vote.NONE;
        }
        if (bytes.length > MAX_BYTES) {
            throw corrupt(MAX_BYTES, "longer than " + MAX_BYTES + " bytes (" + bytes.length + ")");
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (!text.startsWith(MAGIC)) {
            throw corrupt(0, "does not start with '" + MAGIC.strip() + "'");
        }
        int newline = text.indexOf('\n');
        if (newline != text.length() - 1) {
            throw corrupt(newline < 0 ? bytes.length : newline, newline < 0 ? "the line is not complete (no newline)"
                    : "more than one line");
        }
        int crcAt = text.lastIndexOf(CRC_FIELD);
        if (crcAt < 0) {
            throw corrupt(newline, "no crc32c field");
        }
        String crcText = text.substring(crcAt + CRC_FIELD.length(), newline);
        long expected = crc(text.substring(0, crcAt));
        if (!crcText.matches("[0-9a-f]{8}") || Long.parseLong(crcText, 16) != expected) {
            throw corrupt(crcAt + CRC_FIELD.length(), "crc32c '" + crcText + "' does not match the line ("
                    + hex(expected) + ")");
        }
        String[] fields = text.substring(MAGIC.length(), crcAt).split(" ", -1);
        if (fields.length < 2 || fields.length > 3 || !fields[0].startsWith("term=")
                || !fields[1].startsWith("voted-for=") || (fields.length == 3 && !fields[2].startsWith(FLOOR_FIELD))) {
            throw corrupt(MAGIC.length(), "expected 'term=N voted-for=ID' and maybe 'vote-floor=TERM/LSN'");
        }
        long term;
        try {
            term = Long.parseLong(fields[0].substring("term=".length()));
        } catch (NumberFormatException e) {
            throw corrupt(MAGIC.length(), "term '" + fields[0] + "' is not a number");
        }
        if (term < 0) {
            throw corrupt(MAGIC.length(), "negative term " + term);
        }
        String voted = fields[1].substring("voted-for=".length());
        NodeId votedFor;
        try {
            votedFor = voted.isEmpty() ? null : NodeId.of(voted);
        } catch (IllegalArgumentException e) {
            throw corrupt(MAGIC.length() + fields[0].length() + 1, "voted-for: " + e.getMessage());
        }
        if (fields.length == 2) {
            return new Vote(term, votedFor);
        }
        int floorAt = MAGIC.length() + fields[0].length() + 1 + fields[1].length() + 1;
        String floor = fields[2].substring(FLOOR_FIELD.length());
        int slash = floor.indexOf('/');
        long floorTerm = slash < 0 ? -1 : parseOrMinusOne(floor.substring(0, slash));
        long floorLsn = slash < 0 ? -1 : parseOrMinusOne(floor.substring(slash + 1));
        if (floorTerm < 0 || floorLsn < 0) {
            throw corrupt(floorAt, "vote-floor '" + floor + "' is not TERM/LSN");
        }
        return new Vote(term, votedFor, floorTerm, floorLsn);
    }

    /**
     * Makes the vote (term, votedFor, and the floor, written only when there is one) durable before returning:
     * write a temporary file, fsync it, rename it over the old one, fsync the directory (without the last
     * step, a crash could bring the old name back).
     */
    public void write(Vote vote) throws IOException {
        String line = MAGIC + "term=" + vote.term() + " voted-for=" + (vote.votedFor() == null ? ""
                : vote.votedFor().name()) + (vote.floorTerm() == 0 && vote.floorLsn() == 0 ? ""
                : " " + FLOOR_FIELD + vote.floorTerm() + "/" + vote.floorLsn());
        byte[] bytes = (line + CRC_FIELD + hex(crc(line)) + "\n").getBytes(StandardCharsets.US_ASCII);
        Path tmp = dataDir.resolve(TMP_NAME);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(dataDir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    /** A non-negative number, or -1 for anything else. */
    private static long parseOrMinusOne(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long crc(String text) {
        CRC32C crc = new CRC32C();
        crc.update(text.getBytes(StandardCharsets.US_ASCII));
        return crc.getValue();
    }

    private static String hex(long crc) {
        return HexFormat.of().toHexDigits((int) crc);
    }

    private FileCorruptionException corrupt(long offset, String problem) {
        return new Corrupt(file, offset, problem + " (this node's term and vote cannot be trusted; deleting the"
                + " file would let it vote again in a term it may already have voted in)");
    }

    /** The vote file does not verify: start-up stops (see the class comment). */
    static final class Corrupt extends FileCorruptionException {
        Corrupt(Path file, long offset, String problem) {
            super("vote file " + file, file, offset, problem);
        }
    }
}
