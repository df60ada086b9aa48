package io.tandem.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.Effect;
import io.tandem.core.model.Reply;
import io.tandem.core.testkit.CommandRunner;
import io.tandem.core.testkit.Show;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SADD, SREM, SMEMBERS, SISMEMBER, SCARD and SPOP (whose effect is the removal it chose). */
class SetCommandsTest {
    private static final String WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value";

    private final CommandRunner redis = new CommandRunner(1);

    @Test
    void addRemoveQueryWithTheKeyGoingWithItsLastMember() {
        redis.script(new String[][] {
            {"SADD s a b a", ":2", "SetAdd(s, [a, b])"},
            {"SADD s a", ":0", ""},
            {"SCARD s", ":2"},
            {"SCARD missing", ":0"},
            {"SISMEMBER s a", ":1"},
            {"SISMEMBER s zz", ":0"},
            {"SISMEMBER missing a", ":0"},
            {"SMEMBERS s", "~[\"a\", \"b\"]"},
            {"SMEMBERS missing", "~[]"},
            {"SREM s a zz a", ":1", "SetRemove(s, [a])"},
            {"SREM s zz", ":0", ""},
            {"SREM missing a", ":0", ""},
            {"SREM s b", ":1", "SetRemove(s, [b])"},
            {"EXISTS s", ":0"},
            {"SADD s", "-ERR wrong number of arguments for 'sadd' command"},
        });
    }

    @Test
    void spopRepliesAndErrors() {
        redis.script(new String[][] {
            {"SPOP missing", "(nil)", ""},
            {"SPOP missing 2", "~[]", ""},
            {"SADD s a b c", ":3"},
            {"SPOP s 0", "~[]", ""},
            {"SPOP s -1", "-ERR value is out of range, must be positive", ""},
            {"SPOP s x", "-ERR value is out of range, must be positive", ""}, // Redis 7.0: any bad count
            {"SPOP s 1 2", "-ERR syntax error", ""},
            {"SCARD s", ":3"},
            {"SET str v", "+OK"},
            {"SPOP str", WRONGTYPE, ""},
        });
    }

    @Test
    void spopEmitsTheRemovalOfThePoppedMember() {
        redis.run("SADD s a b c d e");
        Reply reply = redis.execute(CommandRunner.args("SPOP s"));
        String popped = new String(((Reply.Bulk) reply).bytes());
        assertTrue(Set.of("a", "b", "c", "d", "e").contains(popped), popped);
        assertEquals(List.of("SetRemove(s, [" + popped + "])"), redis.effects());
        assertEquals(":4", redis.run("SCARD s"));
        assertEquals(":0", redis.run("SISMEMBER s " + popped));
    }

    @Test
    void spopWithCountEmitsTheRemovalOfExactlyThePoppedMembers() {
        redis.run("SADD s a b c d e");
        Reply reply = redis.execute(CommandRunner.args("SPOP s 3"));
        List<Reply> items = ((Reply.SetReply) reply).items();
        assertEquals(3, items.size());
        Set<String> popped = new HashSet<>();
        for (Reply item : items) {
            popped.add(Show.reply(item).replace("\"", ""));
        }
        assertEquals(3, popped.size(), "distinct members");
        Effect.SetRemove removal = (Effect.SetRemove) redis.rawEffects().get(0);
        Set<String> removed = new HashSet<>();
        for (byte[] member : removal.members()) {
            removed.add(new String(member));
        }
        assertEquals(popped, removed);
        assertEquals(1, redis.rawEffects().size());
        for (String member : popped) {
            assertEquals(":0", redis.run("SISMEMBER s " + member));
        }
        assertEquals(":2", redis.run("SCARD s"));
    }

    @Test
    void spopWithACountAboveTheSizeTakesEverythingAndTheKey() {
        redis.run("SADD s a b");
        String reply = redis.run("SPOP s 10");
        assertTrue(reply.equals("~[\"a\", \"b\"]") || reply.equals("~[\"b\", \"a\"]"), reply);
        assertEquals(":0", redis.run("EXISTS s"));
    }

    @Test
    void spopIsDeterministicForASeedAndEventuallyPicksEveryMember() {
        Set<String> firstPicks = new HashSet<>();
        for (long seed = 0; seed < 60; seed++) {
            CommandRunner a = new CommandRunner(seed);
            CommandRunner b = new CommandRunner(seed);
            a.run("SADD s a b c d e");
            b.run("SADD s a b c d e");
            String pick = a.run("SPOP s");
            assertEquals(pick, b.run("SPOP s"), "--seed=" + seed);
            assertEquals(a.run("SPOP s 2"), b.run("SPOP s 2"), "--seed=" + seed);
            firstPicks.add(pick);
        }
        assertEquals(5, firstPicks.size(), "SPOP never chose some member: " + firstPicks);
    }
}
