package io.tandem.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tandem.core.testkit.Show;
import io.tandem.core.util.ByteKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Every key of a keyspace (or frozen view) as sorted text: "key" -> "type:value ttl=N". Test helper. */
final class KeyspaceDump {
    private KeyspaceDump() {}

    static Map<String, String> of(Keyspace keyspace) {
        return of(keyspace::forEach);
    }

    /** Read with forEach; the pull iterator must give the same entries in the same order. */
    static Map<String, String> of(FrozenKeyspace keyspace) {
        List<KeyEntry> walked = new ArrayList<>();
        keyspace.forEach(walked::add);
        List<KeyEntry> pulled = new ArrayList<>();
        keyspace.iterator().forEachRemaining(pulled::add);
        assertEquals(walked, pulled, "FrozenKeyspace.iterator() and forEach() disagree");
        return of(keyspace::forEach);
    }

    private static Map<String, String> of(Consumer<Consumer<KeyEntry>> forEach) {
        Map<String, String> dump = new TreeMap<>();
        forEach.accept(entry -> assertNull(dump.put(Show.bytes(entry.key()), value(entry)),
                "key visited twice: " + Show.bytes(entry.key())));
        return dump;
    }

    static String value(KeyEntry entry) {
        String ttl = entry.hasExpiry() ? " ttl=" + entry.expireAtMillis() : "";
        return switch (entry.value()) {
            case byte[] b -> "string:" + Show.bytes(b) + ttl;
            case HashValue hash -> {
                List<String> fields = new ArrayList<>();
                for (Map.Entry<ByteKey, byte[]> e : hash.fields().entrySet()) {
                    fields.add(Show.bytes(e.getKey().bytes()) + "=" + Show.bytes(e.getValue()));
                }
                yield "hash:" + fields + ttl;
            }
            case SetValue set -> {
                List<String> members = new ArrayList<>();
                for (ByteKey member : set.members()) {
                    members.add(Show.bytes(member.bytes()));
                }
                yield "set:" + members + ttl;
            }
            case ListValue list -> {
                List<String> elements = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    elements.add(Show.bytes(list.get(i)));
                }
                yield "list:" + elements + ttl;
            }
            default -> throw new AssertionError("unknown value " + entry.value());
        };
    }
}
