package io.tandem.core.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.core.model.NodeId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ack policy configuration text: what it reads, its canonical form, and every error. */
class AckPolicyParseTest {

    private static List<NodeId> ids(String... names) {
        List<NodeId> ids = new ArrayList<>();
        for (String name : names) {
            ids.add(NodeId.of(name));
        }
        return ids;
    }

    @Test
    void parsesAndPrintsCanonically() {
        Object[][] cases = {
            // text, policy, canonical text
            {"async", new AckPolicy.Async(), "async"},
            {"ASYNC", new AckPolicy.Async(), "async"},
            {"  async  ", new AckPolicy.Async(), "async"},
            {"quorum", new AckPolicy.Quorum(), "quorum"},
            {"Quorum", new AckPolicy.Quorum(), "quorum"},
            {"all", new AckPolicy.All(), "all"},
            {"semi-sync 2", new AckPolicy.SemiSync(2), "semi-sync 2"},
            {"SEMI-SYNC\t1", new AckPolicy.SemiSync(1), "semi-sync 1"},
            {"semi-sync   007", new AckPolicy.SemiSync(7), "semi-sync 7"},
            {"first 2 (n1, n2, n3)", new AckPolicy.First(2, ids("n1", "n2", "n3")), "first 2 (n1, n2, n3)"},
            {"FIRST 2(n1,n2,n3)", new AckPolicy.First(2, ids("n1", "n2", "n3")), "first 2 (n1, n2, n3)"},
            {" first  1  (  a  )  ", new AckPolicy.First(1, ids("a")), "first 1 (a)"},
            {"any 1 (n2,n3)", new AckPolicy.Any(1, ids("n2", "n3")), "any 1 (n2, n3)"},
            {"Any 2 (\n n3,\n n2\n)", new AckPolicy.Any(2, ids("n3", "n2")), "any 2 (n3, n2)"},
            // names keep their case and may look like numbers or keywords
            {"any 1 (N1, 2, first, db.eu-1_a)", new AckPolicy.Any(1, ids("N1", "2", "first", "db.eu-1_a")),
                "any 1 (N1, 2, first, db.eu-1_a)"},
        };
        for (Object[] c : cases) {
            AckPolicy policy = AckPolicy.parse((String) c[0]);
            assertEquals(c[1], policy, (String) c[0]);
            assertEquals(c[2], policy.toString(), (String) c[0]);
            assertEquals(policy, AckPolicy.parse(policy.toString()), "round trip of " + c[0]);
        }
    }

    @Test
    void errorsSayWhatIsWrong() {
        String expected = "expected one of: async, semi-sync K, quorum, all, first K (names...), any K (names...)";
        String[][] cases = {
            // text, error message after `invalid ack policy "TEXT": `
            {"", "it is empty; " + expected},
            {"   ", "it is empty; " + expected},
            {"sync", "unknown policy \"sync\"; " + expected},
            {"semi-sync2", "unknown policy \"semi-sync2\"; " + expected},
            {"(a)", "unknown policy \"(\"; " + expected},
            {"quorum 2", "unexpected \"2\" after the complete policy \"quorum\""},
            {"async async", "unexpected \"async\" after the complete policy \"async\""},
            {"semi-sync 1 (a)", "unexpected \"(\" after the complete policy \"semi-sync 1\""},
            {"first 1 (a) b", "unexpected \"b\" after the complete policy \"first 1 (a)\""},
            {"any 1 (a),", "unexpected \",\" after the complete policy \"any 1 (a)\""},
            {"semi-sync", "semi-sync needs K, the number of acknowledgements, as in \"semi-sync 1\""},
            {"first", "first needs K, the number of acknowledgements, as in \"first 1 (n1, n2)\""},
            {"any", "any needs K, the number of acknowledgements, as in \"any 1 (n1, n2)\""},
            {"semi-sync two", "K must be a whole number, got \"two\""},
            {"semi-sync 1.5", "K must be a whole number, got \"1.5\""},
            {"first (a, b)", "K must be a whole number, got \"(\""},
            {"semi-sync 0", "K must be at least 1, got 0"},
            {"semi-sync -1", "K must be at least 1, got -1"},
            {"first 0 (a)", "K must be at least 1, got 0"},
            {"any -3 (a)", "K must be at least 1, got -3"},
            {"semi-sync 99999999999", "K is too large: 99999999999"},
            {"first 3 (a, b)", "K is 3 but the list names only 2 standbys"},
            {"any 2 (a)", "K is 2 but the list names only 1 standby"},
            {"first 1 ()", "the standby list is empty"},
            {"any 1 ( )", "the standby list is empty"},
            {"first 1 (a, b, a)", "standby a is listed twice"},
            {"any 1 (b,b)", "standby b is listed twice"},
            {"first 1", "expected \"(\" and a list of standby names after K, got the end of the text"},
            {"first 1 a, b", "expected \"(\" and a list of standby names after K, got \"a\""},
            {"first 1 (a, b", "the standby list is not closed: expected \")\" after \"b\""},
            {"first 1 (", "expected a standby name after \"(\", got the end of the text"},
            {"first 1 (,a)", "expected a standby name after \"(\", got \",\""},
            {"first 1 (a,)", "expected a standby name after \",\", got \")\""},
            {"first 1 (a,,b)", "expected a standby name after \",\", got \",\""},
            {"any 1 (a b)", "expected \",\" or \")\" after \"a\", got \"b\""},
            {"any 1 (a (b))", "expected \",\" or \")\" after \"a\", got \"(\""},
            {"any 1 (a; b)", "unexpected character ';' at column 9"},
            {"any 1 (\"a\")", "unexpected character '\"' at column 8"},
            {"all\u00a0", "unexpected character U+00A0 at column 4"},
            {"any 1 (" + "x".repeat(65) + ")", "invalid node id \"" + "x".repeat(65)
                    + "\": it has 65 characters, at most 64 are allowed"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AckPolicy.parse(c[0]),
                    c[0]);
            assertEquals("invalid ack policy \"" + c[0] + "\": " + c[1], e.getMessage());
        }
    }

    @Test
    void missingAndOverlongTextAreRejectedWithoutQuotingThem() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> AckPolicy.parse(null));
        assertEquals("ack policy is missing; expected one of: async, semi-sync K, quorum, all, first K (names...),"
                + " any K (names...)", missing.getMessage());
        String huge = "any 1 (" + "a,".repeat(3000) + "b)";
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> AckPolicy.parse(huge));
        assertEquals("ack policy is 6009 characters long, at most 4096 are allowed", tooLong.getMessage());
    }

    @Test
    void recordsCheckTheirOwnArguments() {
        Object[][] cases = {
            {(Runnable) () -> new AckPolicy.SemiSync(0), "K must be at least 1, got 0"},
            {(Runnable) () -> new AckPolicy.First(1, List.of()), "the standby list is empty"},
            {(Runnable) () -> new AckPolicy.Any(0, ids("a")), "K must be at least 1, got 0"},
            {(Runnable) () -> new AckPolicy.Any(3, ids("a", "b")), "K is 3 but the list names only 2 standbys"},
            {(Runnable) () -> new AckPolicy.First(1, ids("a", "b", "b")), "standby b is listed twice"},
        };
        for (Object[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ((Runnable) c[0])::run);
            assertEquals(c[1], e.getMessage());
        }
    }

    @Test
    void standbyListsAreCopied() {
        List<NodeId> names = ids("a", "b");
        AckPolicy.First first = new AckPolicy.First(1, names);
        names.add(NodeId.of("c"));
        assertEquals("first 1 (a, b)", first.toString());
        assertThrows(UnsupportedOperationException.class, () -> first.standbys().add(NodeId.of("d")));
    }
}
