package io.tandem.core.testkit;

import io.tandem.core.model.Effect;
import io.tandem.core.model.Reply;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Renders replies and effects as short text, so tests compare them by value (the records hold byte
 * arrays, whose equals is identity). Notation, close to RESP: {@code +OK}, {@code -ERR ...}, {@code :1},
 * {@code "bulk"}, {@code (nil)}, {@code (nil-array)}, {@code [a, b]} (array), {@code %[k, v]} (map),
 * {@code ~[a]} (set).
 */
public final class Show {
    private Show() {}

    public static String reply(Reply reply) {
        return switch (reply) {
            case Reply.Simple s -> "+" + s.text();
            case Reply.Error e -> "-" + e.text();
            case Reply.Int i -> ":" + i.value();
            case Reply.Bulk b -> "\"" + bytes(b.bytes()) + "\"";
            case Reply.NullBulk n -> "(nil)";
            case Reply.NullArray n -> "(nil-array)";
            case Reply.Array a -> aggregate("[", a.items());
            case Reply.MapReply m -> aggregate("%[", m.keysAndValues());
            case Reply.SetReply s -> aggregate("~[", s.items());
            case Reply.Push p -> aggregate(">[", p.items());
            case Reply.Double d -> "," + d.value();
            case Reply.Bool b -> "#" + b.value();
            case Reply.Verbatim v -> "=" + v.format() + ":" + bytes(v.text());
        };
    }

    private static String aggregate(String open, List<Reply> items) {
        return items.stream().map(Show::reply).collect(Collectors.joining(", ", open, "]"));
    }

    public static String effect(Effect effect) {
        return switch (effect) {
            case Effect.PutString p -> "PutString(" + bytes(p.key()) + ", " + bytes(p.value()) + ", "
                    + p.expireAtMillis() + ")";
            case Effect.DeleteKey d -> "DeleteKey(" + bytes(d.key()) + ")";
            case Effect.ExpireAt e -> "ExpireAt(" + bytes(e.key()) + ", " + e.atMillis() + ")";
            case Effect.Persist p -> "Persist(" + bytes(p.key()) + ")";
            case Effect.HashPut h -> "HashPut(" + bytes(h.key()) + ", " + array(h.fieldsAndValues()) + ")";
            case Effect.HashRemove h -> "HashRemove(" + bytes(h.key()) + ", " + array(h.fields()) + ")";
            case Effect.SetAdd s -> "SetAdd(" + bytes(s.key()) + ", " + array(s.members()) + ")";
            case Effect.SetRemove s -> "SetRemove(" + bytes(s.key()) + ", " + array(s.members()) + ")";
            case Effect.ListPush l -> "ListPush(" + bytes(l.key()) + ", " + (l.left() ? "left" : "right") + ", "
                    + array(l.elements()) + ")";
            case Effect.ListPop l -> "ListPop(" + bytes(l.key()) + ", " + (l.left() ? "left" : "right") + ", "
                    + l.count() + ")";
            case Effect.FlushAll f -> "FlushAll";
            case Effect.Statement st -> "Statement" + java.util.Arrays.stream(st.args()).map(a -> new String(a,
                    java.nio.charset.StandardCharsets.UTF_8)).toList();
            case Effect.Reconfigure r -> "Reconfigure(" + r.membership() + ")";
        };
    }

    public static List<String> effects(List<Effect> effects) {
        return effects.stream().map(Show::effect).toList();
    }

    public static String array(byte[][] items) {
        List<String> shown = new ArrayList<>(items.length);
        for (byte[] item : items) {
            shown.add(bytes(item));
        }
        return shown.toString();
    }

    /** Printable ASCII as is, other bytes as \xNN; long strings abbreviated with their length and hash. */
    public static String bytes(byte[] b) {
        if (b.length > 64) {
            return "<" + b.length + " bytes #" + Integer.toHexString(java.util.Arrays.hashCode(b)) + ">";
        }
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return s.toString();
    }

    /**
     * An effect as a list of comparable values (its type, then each record component, with byte arrays
     * compared by content): two effects are equal exactly when these lists are.
     */
    public static List<Object> components(Effect effect) {
        List<Object> values = new ArrayList<>();
        values.add(effect.getClass());
        for (RecordComponent component : effect.getClass().getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(effect);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            if (value instanceof byte[] b) {
                value = ByteBuffer.wrap(b);
            } else if (value instanceof byte[][] items) {
                List<ByteBuffer> wrapped = new ArrayList<>(items.length);
                for (byte[] item : items) {
                    wrapped.add(ByteBuffer.wrap(item));
                }
                value = wrapped;
            }
            values.add(value);
        }
        return values;
    }
}
