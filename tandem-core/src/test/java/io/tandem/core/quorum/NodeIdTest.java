package io.tandem.core.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Node names: what is accepted, what is rejected and how the error says so, order and text form. */
class NodeIdTest {

    @Test
    void acceptedNames() {
        String[] names = {"n1", "a", "N", "0", "node-1", "node_1", "db.eu-west.3", "-", "_.", "x".repeat(64)};
        for (String name : names) {
            NodeId id = NodeId.of(name);
            assertEquals(name, id.name());
            assertEquals(name, id.toString());
            assertEquals(id, new NodeId(name));
        }
    }

    @Test
    void rejectedNames() {
        String[][] cases = {
            // name, error message
            {"", "invalid node id \"\": it is empty; a name has 1 to 64 characters"},
            {"x".repeat(65),
                "invalid node id \"" + "x".repeat(65) + "\": it has 65 characters, at most 64 are allowed"},
            {"n@1", "invalid node id \"n@1\": character '@' at position 2 is not allowed"
                    + " (use letters, digits, '-', '_' and '.')"},
            {"n 1", "invalid node id \"n 1\": character U+0020 at position 2 is not allowed"
                    + " (use letters, digits, '-', '_' and '.')"},
            {"n\t", "invalid node id \"n\t\": character U+0009 at position 2 is not allowed"
                    + " (use letters, digits, '-', '_' and '.')"},
            {"nœud", "invalid node id \"nœud\": character U+0153 at position 2 is not allowed"
                    + " (use letters, digits, '-', '_' and '.')"},
            {"a,b", "invalid node id \"a,b\": character ',' at position 2 is not allowed"
                    + " (use letters, digits, '-', '_' and '.')"},
            {"(a)", "invalid node id \"(a)\": character '(' at position 1 is not allowed"
                    + " (use letters, digits, '-', '_' and '.')"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeId.of(c[0]), c[0]);
            assertEquals(c[1], e.getMessage());
        }
    }

    @Test
    void aHugeRejectedNameIsQuotedOnlyInPart() {
        String huge = "y".repeat(100_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeId.of(huge));
        assertEquals("invalid node id \"" + "y".repeat(80) + "\"...: it has 100000 characters, at most 64 are allowed",
                e.getMessage());
    }

    @Test
    void nullIsRejected() {
        assertThrows(NullPointerException.class, () -> NodeId.of(null));
    }

    @Test
    void namesAreCaseSensitiveAndSortOrdinally() {
        assertTrue(!NodeId.of("n1").equals(NodeId.of("N1")));
        List<NodeId> ids = new ArrayList<>(List.of(NodeId.of("n10"), NodeId.of("n2"), NodeId.of("N3"),
                NodeId.of("n1"), NodeId.of("a")));
        Collections.sort(ids);
        assertEquals("[N3, a, n1, n10, n2]", ids.toString());
        assertEquals(0, NodeId.of("n1").compareTo(NodeId.of("n1")));
    }
}
