package io.tandem.wire.resp;

import java.util.Arrays;
import java.util.List;

/**
 * Any RESP2 or RESP3 value, as read by {@link RespValueReader}. Its {@link #toString()} is canonical and
 * deterministic, so that transcripts of two servers (Tandem and Redis) can be compared as text:
 *
 * <pre>
 * +OK            simple string          -ERR no such key   error
 * :5             integer                "a\r\nb\x00"        bulk string (escaped like redis-cli)
 * (nil)          RESP2 null bulk "$-1"   (nil-array)        RESP2 null array "*-1"
 * (null)         RESP3 null "_"          [a, b]             array
 * {k: v, k2: v2} map, in wire order      ~[a, b]            set, in wire order
 * >[a, b]        push                    |{k: v}            attribute (the value it annotates follows)
 * ,1.5           double, text as sent    #t  #f             booleans
 * =txt:"hello"   verbatim string         (12345             big number
 * !"ERR x"       blob error
 * </pre>
 *
 * Bulk-like values hold bytes and compare by content.
 */
public sealed interface RespValue {

    record Simple(String text) implements RespValue {
        @Override
        public String toString() {
            return "+" + ByteStrings.escapeControls(text);
        }
    }

    record Error(String text) implements RespValue {
        @Override
        public String toString() {
            return "-" + ByteStrings.escapeControls(text);
        }
    }

    record Int(long value) implements RespValue {
        @Override
        public String toString() {
            return ":" + value;
        }
    }

    record Bulk(byte[] bytes) implements RespValue {
        @Override
        public boolean equals(Object other) {
            return other instanceof Bulk bulk && Arrays.equals(bytes, bulk.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return ByteStrings.quoted(bytes);
        }
    }

    record NullBulk() implements RespValue {
        @Override
        public String toString() {
            return "(nil)";
        }
    }

    record NullArray() implements RespValue {
        @Override
        public String toString() {
            return "(nil-array)";
        }
    }

    record Null() implements RespValue {
        @Override
        public String toString() {
            return "(null)";
        }
    }

    record Array(List<RespValue> items) implements RespValue {
        @Override
        public String toString() {
            return ByteStrings.list("[", items, "]");
        }
    }

    /** Keys and values alternate, in the order they were sent. */
    record MapValue(List<RespValue> keysAndValues) implements RespValue {
        @Override
        public String toString() {
            return ByteStrings.pairs("{", keysAndValues);
        }
    }

    record SetValue(List<RespValue> items) implements RespValue {
        @Override
        public String toString() {
            return ByteStrings.list("~[", items, "]");
        }
    }

    record Push(List<RespValue> items) implements RespValue {
        @Override
        public String toString() {
            return ByteStrings.list(">[", items, "]");
        }
    }

    /** Keys and values alternate; the value this attribute annotates is read next. */
    record Attribute(List<RespValue> keysAndValues) implements RespValue {
        @Override
        public String toString() {
            return ByteStrings.pairs("|{", keysAndValues);
        }
    }

    /** The text as sent ("1.5", "inf", "nan"), so that formatting differences show. */
    record DoubleValue(String text) implements RespValue {
        @Override
        public String toString() {
            return "," + text;
        }
    }

    record Bool(boolean value) implements RespValue {
        @Override
        public String toString() {
            return value ? "#t" : "#f";
        }
    }

    record Verbatim(String format, byte[] text) implements RespValue {
        @Override
        public boolean equals(Object other) {
            return other instanceof Verbatim verbatim && format.equals(verbatim.format)
                    && Arrays.equals(text, verbatim.text);
        }

        @Override
        public int hashCode() {
            return format.hashCode() * 31 + Arrays.hashCode(text);
        }

        @Override
        public String toString() {
            return "=" + format + ":" + ByteStrings.quoted(text);
        }
    }

    record BigNumber(String digits) implements RespValue {
        @Override
        public String toString() {
            return "(" + digits;
        }
    }

    record BlobError(byte[] bytes) implements RespValue {
        @Override
        public boolean equals(Object other) {
            return other instanceof BlobError error && Arrays.equals(bytes, error.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "!" + ByteStrings.quoted(bytes);
        }
    }
}
