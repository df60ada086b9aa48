package io.tandem.core.replicaset;

import static io.tandem.core.testkit.CommandRunner.T0;
import static io.tandem.core.testkit.CommandRunner.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.keyspace.KeyspaceDigest;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.ClientRef;
import io.tandem.core.protocol.Input;
import io.tandem.core.protocol.Output;
import io.tandem.core.testkit.Show;
import io.tandem.core.util.Ascii;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The replica set of one (what a node without replicas runs): commands become log entries, and every
 * reply waits until what it shows is durable (Persisted), in request order.
 */
class SingleNodeReplicaSetTest {
    private static final String WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value";

    record Client(String name) implements ClientRef {}

    /** Records what a step asked for, as text: "persist 1/3 [effects]" and "reply c1#7 +OK". */
    static final class Recorder implements Output {
        final List<String> log = new ArrayList<>();
        final List<Entry> entries = new ArrayList<>();

        final MemoryLog memoryLog = new MemoryLog();

        @Override
        public void persist(Entry entry) {
            memoryLog.append(entry);
            entries.add(entry);
            log.add("persist " + entry.term() + "/" + entry.lsn() + " " + Show.effects(entry.effects()));
        }

        @Override
        public void reply(ClientRef client, long requestId, Reply reply) {
            log.add("reply " + ((Client) client).name() + "#" + requestId + " " + Show.reply(reply));
        }

        @Override
        public void event(io.tandem.core.model.Event event) {
            log.add("event " + event);
        }

        @Override
        public void truncateLog(long afterLsn) {
            log.add("truncate after " + afterLsn);
        }

        @Override
        public void sendNow(io.tandem.core.model.NodeId to, io.tandem.core.model.Message message) {
            log.add("send " + to + " " + message);
        }


        @Override
        public void sendSnapshot(io.tandem.core.model.NodeId to) {
            log.add("send snapshot " + to);
        }

        @Override
        public void receiveSnapshotChunk(io.tandem.core.model.Message.SnapshotChunk chunk) {
            log.add("snapshot chunk " + chunk.offset());
        }

        @Override
        public void snapshotAcked(io.tandem.core.model.Message.SnapshotAck ack) {
            log.add("snapshot ack " + ack.nextOffset());
        }

        @Override
        public void persistVote(long term, io.tandem.core.model.NodeId votedFor) {
        }

        @Override
        public void persistVoteFloor(long term, long lsn) {
            throw new AssertionError("a single node never rewinds");
        }

        @Override
        public void rewind(long afterLsn) {
            throw new AssertionError("a single node never rewinds");
        }

        List<String> take() {
            List<String> taken = List.copyOf(log);
            log.clear();
            return taken;
        }
    }

    private final Client c1 = new Client("c1");
    private final Client c2 = new Client("c2");
    private final Client c3 = new Client("c3");
    private final Recorder out = new Recorder();
    private ReplicaSetNode leader = single(new Keyspace(1), 1, new Random(1), out);

    static final NodeId SELF = NodeId.of("n1");

    /** A leader of a one-member, async replica set over the recorder's log (which may hold entries). */
    static ReplicaSetNode single(Keyspace keyspace, long term, Random random, Recorder out) {
        ReplicaSetConfig config = ReplicaSetConfig.of(java.util.Map.of(SELF, MemberConfig.voter(SELF)),
                new io.tandem.core.quorum.AckPolicy.Async(), io.tandem.core.quorum.AckLevel.DURABLE);
        ReplicaSetNode node = new ReplicaSetNode(SELF, config, keyspace, out.memoryLog, term, random);
        node.becomeLeader(term, T0, out);
        out.log.clear();
        return node;
    }

    private List<String> command(long now, Client client, long id, String command) {
        leader.step(now, new Input.ClientCommand(client, id, args(command)), out);
        return out.take();
    }

    private List<String> command(Client client, long id, String command) {
        return command(T0, client, id, command);
    }

    private List<String> persisted(long lsn) {
        leader.step(T0, new Input.Persisted(lsn), out);
        return out.take();
    }

    private List<String> tick(long now) {
        leader.step(now, Input.TICK, out);
        return out.take();
    }

    @Test
    void aWriteIsRepliedOnlyOnceItsEntryIsDurable() {
        assertEquals(List.of("persist 1/1 [PutString(a, 1, -1)]"), command(c1, 1, "SET a 1"));
        assertEquals(1, leader.pendingReplies());
        assertEquals(List.of(), persisted(0), "nothing new is durable");
        assertEquals(List.of("reply c1#1 +OK"), persisted(1));
        assertEquals(List.of(), persisted(1), "a reply is released once");
        assertEquals(0, leader.pendingReplies());
        assertEquals(1, leader.durableLsn());
    }

    @Test
    void aReadWithNothingPendingIsRepliedAtOnce() {
        assertEquals(List.of("reply c1#1 (nil)"), command(c1, 1, "GET a"));
        command(c1, 2, "SET a 1");
        persisted(1);
        assertEquals(List.of("reply c2#3 \"1\""), command(c2, 3, "GET a"));
        assertEquals(List.of("reply c2#4 " + WRONGTYPE), command(c2, 4, "HGET a f"),
                "an error with nothing pending: at once too");
    }

    @Test
    void aReadAfterAnUnpersistedWriteWaitsSoNoClientSeesUndurableData() {
        command(c1, 1, "SET a 1");
        assertEquals(List.of(), command(c2, 2, "GET a"), "the read shows a write that a crash could lose");
        assertEquals(List.of("reply c1#1 +OK", "reply c2#2 \"1\""), persisted(1));
    }

    @Test
    void repliesComeOutInRequestOrderAsTheLogBecomesDurable() {
        assertEquals(List.of("persist 1/1 [PutString(a, 1, -1)]"), command(c1, 1, "SET a 1"));
        assertEquals(List.of("persist 1/2 [PutString(b, 2, -1)]"), command(c2, 2, "SET b 2"));
        assertEquals(List.of(), command(c3, 3, "GET a"));
        assertEquals(List.of(), command(c3, 4, "HGET a f"), "an error queues behind pending replies too");
        assertEquals(List.of("persist 1/3 [PutString(x, 1, -2)]"), command(c1, 5, "INCR x"));
        assertEquals(List.of(), command(c2, 6, "GET x"));
        assertEquals(List.of("reply c1#1 +OK"), persisted(1));
        assertEquals(List.of("reply c2#2 +OK", "reply c3#3 \"1\"", "reply c3#4 " + WRONGTYPE), persisted(2));
        assertEquals(List.of("reply c1#5 :1", "reply c2#6 \"1\""), persisted(3));
        assertEquals(0, leader.pendingReplies());
    }

    @Test
    void pipelinedCommandsSeeEachOthersUnpersistedResults() {
        command(c1, 1, "INCR x");
        command(c1, 2, "INCR x");
        assertEquals(List.of("reply c1#1 :1", "reply c1#2 :2"), persisted(2));
        assertEquals(List.of("[PutString(x, 1, -2)]", "[PutString(x, 2, -2)]"),
                out.entries.stream().map(e -> Show.effects(e.effects()).toString()).toList());
    }

    @Test
    void aTransactionIsOneEntryWithAnArrayReplyAndAFailingCommandDoesNotStopTheOthers() {
        List<byte[][]> commands = List.of(args("SET a 1"), args("INCR a"), args("HSET a f v"), args("SADD s x"),
                args("NOPE z"), args("GET a"));
        leader.step(T0, new Input.ClientTransaction(c1, 9, commands), out);
        assertEquals(List.of("persist 1/1 [PutString(a, 1, -1), PutString(a, 2, -2), SetAdd(s, [x])]"), out.take());
        assertEquals(List.of("reply c1#9 [+OK, :2, " + WRONGTYPE
                + ", :1, -ERR unknown command 'NOPE', with args beginning with: 'z' , \"2\"]"), persisted(1));
    }

    @Test
    void aReadOnlyTransactionWritesNoEntry() {
        command(c1, 1, "SET a 1");
        persisted(1);
        leader.step(T0, new Input.ClientTransaction(c1, 2, List.of(args("GET a"), args("EXISTS a"))), out);
        assertEquals(List.of("reply c1#2 [\"1\", :1]"), out.take());
        assertEquals(1, leader.lastLsn());
    }

    @Test
    void tickDeletesExpiredKeysThroughALoggedEntry() {
        command(c1, 1, "SET k v PX 100");
        command(c1, 2, "SET keep v");
        persisted(2);
        out.take();
        assertEquals(List.of(), tick(T0 + 100), "not expired at the exact millisecond");
        assertEquals(List.of("persist 1/3 [DeleteKey(k)]"), tick(T0 + 101));
        assertEquals(1, leader.expiredKeys());
        assertEquals(1, leader.keyspace().size());
        assertEquals(0, leader.keyspace().keysWithExpiry());
        assertEquals(List.of(), command(T0 + 101, c2, 3, "GET keep"), "reads wait for the expiry entry");
        assertEquals(List.of("reply c2#3 \"v\""), persisted(3));
        assertEquals(List.of(), tick(T0 + 10_000), "nothing left to expire");
    }

    @Test
    void tickDeletesOnlyExpiredKeysAndEventuallyAllOfThem() {
        Set<String> dying = new TreeSet<>();
        long id = 0;
        for (int i = 0; i < 100; i++) {
            command(c1, ++id, "SET d" + i + " v PX 100");
            dying.add("d" + i);
        }
        for (int i = 0; i < 10; i++) {
            command(c1, ++id, "SET long" + i + " v EX 1000");
            command(c1, ++id, "SET forever" + i + " v");
        }
        persisted(leader.lastLsn());
        out.entries.clear();
        for (int round = 0; round < 50 && leader.keyspace().size() > 20; round++) {
            tick(T0 + 200);
        }
        Set<String> deleted = new TreeSet<>();
        for (Entry entry : out.entries) {
            for (Effect effect : entry.effects()) {
                assertTrue(effect instanceof Effect.DeleteKey, Show.effect(effect));
                assertTrue(deleted.add(Ascii.string(effect.key())), "deleted twice: " + Show.effect(effect));
            }
        }
        assertEquals(dying, deleted);
        assertEquals(20, leader.keyspace().size());
        assertEquals(10, leader.keyspace().keysWithExpiry());
        assertEquals(100, leader.expiredKeys());
    }

    @Test
    void aRecoveredLeaderContinuesItsLogAndRefusesADurableLsnBeyondIt() {
        for (int lsn = 1; lsn <= 10; lsn++) {
            out.memoryLog.append(new Entry(3, lsn, T0, List.of(new Effect.DeleteKey(Ascii.bytes("x")))));
        }
        leader = single(new Keyspace(1), 3, new Random(1), out);
        assertEquals(List.of("reply c1#1 (nil)"), command(c1, 1, "GET a"), "the recovered log is durable");
        assertEquals(List.of("persist 3/11 [PutString(a, 1, -1)]"), command(c1, 2, "SET a 1"));
        assertThrows(IllegalStateException.class, () -> persisted(12));
        assertThrows(IllegalStateException.class, () -> single(new Keyspace(1), 0, new Random(1), new Recorder()));
    }

    /** A run mixing random commands (SPOP, RANDOMKEY), transactions, expiry and persist reports. */
    private static Recorder script(long seed) {
        Recorder out = new Recorder();
        ReplicaSetNode leader = single(new Keyspace(7), 1, new Random(seed), out);
        Client client = new Client("c");
        Random inputs = new Random(1234); // the same inputs for every run
        long now = T0;
        long id = 0;
        for (int step = 0; step < 600; step++) {
            now += inputs.nextInt(20);
            int kind = inputs.nextInt(10);
            String key = "k" + inputs.nextInt(15);
            Input input = switch (kind) {
                case 0 -> new Input.ClientCommand(client, ++id, args("SADD s" + inputs.nextInt(3) + " "
                        + inputs.nextInt(8) + " " + inputs.nextInt(8)));
                case 1 -> new Input.ClientCommand(client, ++id, args("SPOP s" + inputs.nextInt(3)
                        + (inputs.nextBoolean() ? " 2" : "")));
                case 2 -> new Input.ClientCommand(client, ++id, args("SET " + key + " " + step + " PX "
                        + (1 + inputs.nextInt(200))));
                case 3 -> new Input.ClientCommand(client, ++id, args("RANDOMKEY"));
                case 4 -> new Input.ClientTransaction(client, ++id, List.of(args("INCR " + key),
                        args("RPUSH l" + inputs.nextInt(2) + " " + step), args("LPOP l" + inputs.nextInt(2))));
                case 5 -> Input.TICK;
                case 6 -> new Input.Persisted(Math.max(leader.durableLsn(), leader.lastLsn() - inputs.nextInt(3)));
                default -> new Input.ClientCommand(client, ++id, args("GET " + key));
            };
            leader.step(now, input, out);
        }
        leader.step(now, new Input.Persisted(leader.lastLsn()), out);
        out.log.add("digest " + KeyspaceDigest.of(leader.keyspace()));
        return out;
    }

    @Test
    void theSameSeedAndInputsGiveTheSameOutputs() {
        Recorder first = script(5);
        Recorder second = script(5);
        assertEquals(first.log, second.log);
        assertTrue(first.entries.size() > 100, "the script should write a lot: " + first.entries.size());
        assertFalse(first.log.equals(script(6).log), "SPOP and RANDOMKEY should depend on the seed");
    }

    @Test
    void applyingTheLoggedEffectsRebuildsTheLeadersKeyspace() {
        Recorder log = script(5);
        Keyspace follower = new Keyspace(99);
        for (Entry entry : log.entries) {
            entry.effects().forEach(follower::apply);
        }
        String leaderDigest = log.log.get(log.log.size() - 1);
        assertEquals(leaderDigest, "digest " + KeyspaceDigest.of(follower), "row-format replay diverged");
        // LSNs are consecutive from 1 and every entry has the leader's term.
        for (int i = 0; i < log.entries.size(); i++) {
            assertEquals(i + 1, log.entries.get(i).lsn());
            assertEquals(1, log.entries.get(i).term());
        }
    }
}
