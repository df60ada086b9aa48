package io.tandem.server.agent;

import io.tandem.core.model.Effect;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One effect as the fields of a JSON object, for the rollback file: {@code "effect":"put_string","key":...}.
 * Keys, values, fields and members are bytes, not text: bytes that are valid UTF-8 are written as a JSON
 * string (with JSON's escapes for quotes, backslashes and control characters), anything else as
 * {@code {"base64":"..."}}, so that every value can be restored exactly and a JSON parser never sees
 * invalid text.
 */
final class EffectJson {
    private EffectJson() {}

    static void appendFields(StringBuilder out, Effect effect) {
        switch (effect) {
            case Effect.PutString put -> {
                kind(out, "put_string", put.key());
                out.append(",\"value\":");
                bytes(out, put.value());
                expiry(out, "expire_at_millis", put.expireAtMillis());
            }
            case Effect.DeleteKey delete -> kind(out, "delete_key", delete.key());
            case Effect.ExpireAt expire -> {
                kind(out, "expire_at", expire.key());
                out.append(",\"at_millis\":").append(expire.atMillis());
            }
            case Effect.Persist persist -> kind(out, "persist", persist.key());
            case Effect.HashPut put -> {
                kind(out, "hash_put", put.key());
                array(out, "fields_and_values", put.fieldsAndValues());
            }
            case Effect.HashRemove remove -> {
                kind(out, "hash_remove", remove.key());
                array(out, "fields", remove.fields());
            }
            case Effect.SetAdd add -> {
                kind(out, "set_add", add.key());
                array(out, "members", add.members());
            }
            case Effect.SetRemove remove -> {
                kind(out, "set_remove", remove.key());
                array(out, "members", remove.members());
            }
            case Effect.ListPush push -> {
                kind(out, "list_push", push.key());
                out.append(",\"left\":").append(push.left());
                array(out, "elements", push.elements());
            }
            case Effect.ListPop pop -> {
                kind(out, "list_pop", pop.key());
                out.append(",\"left\":").append(pop.left()).append(",\"count\":").append(pop.count());
            }
            case Effect.Statement statement -> {
                kind(out, "statement", statement.key());
                array(out, "args", statement.args());
            }
            case Effect.FlushAll flush -> out.append("\"effect\":\"flush_all\"");
            case Effect.Reconfigure reconfigure -> out.append("\"effect\":\"reconfigure\",\"members\":\"")
                    .append(reconfigure.membership().encode()).append('"'); // ids and addresses need no escaping
        }
    }

    private static void kind(StringBuilder out, String kind, byte[] key) {
        out.append("\"effect\":\"").append(kind).append("\",\"key\":");
        bytes(out, key);
    }

    /** Effect.NO_EXPIRY and KEEP_TTL are named; a time is given in milliseconds since the epoch. */
    private static void expiry(StringBuilder out, String name, long millis) {
        out.append(",\"").append(name).append("\":");
        if (millis == Effect.NO_EXPIRY) {
            out.append("null");
        } else if (millis == Effect.KEEP_TTL) {
            out.append("\"keep\"");
        } else {
            out.append(millis);
        }
    }

    private static void array(StringBuilder out, String name, byte[][] items) {
        out.append(",\"").append(name).append("\":[");
        for (int i = 0; i < items.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            bytes(out, items[i]);
        }
        out.append(']');
    }

    static void bytes(StringBuilder out, byte[] value) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            out.append("{\"base64\":\"").append(Base64.getEncoder().encodeToString(value)).append("\"}");
            return;
        }
        string(out, text);
    }

    static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
