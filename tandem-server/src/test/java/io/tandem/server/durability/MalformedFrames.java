package io.tandem.server.durability;

import io.tandem.wire.resp.RespCommandWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Bad client input for the socket fuzz: named cases whose outcome is known (a protocol error, then the
 * server closes), and generators of random and mutated frames whose outcome is not.
 */
final class MalformedFrames {
    private MalformedFrames() {}

    /**
     * A request that must get {@code okRepliesFirst} ordinary replies, then "-ERR Protocol error...", then the
     * server must close the connection. {@code authenticate}: send AUTH first, so the post-AUTH limits apply.
     */
    record Case(String name, boolean authenticate, int okRepliesFirst, byte[] bytes) {
        Case(String name, boolean authenticate, String text) {
            this(name, authenticate, 0, text.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    static List<Case> protocolErrors() {
        String ping = "*1\r\n$4\r\nPING\r\n";
        return List.of(
                new Case("non-numeric bulk length", true, "*2\r\n$3\r\nGET\r\n$x1\r\nk\r\n"),
                new Case("negative bulk length", true, "*1\r\n$-5\r\n"),
                new Case("bulk length with a sign", true, "*1\r\n$+4\r\nPING\r\n"),
                new Case("bulk length beyond proto-max-bulk-len", true, "*2\r\n$3\r\nSET\r\n$600000000\r\n"),
                new Case("bulk length beyond 2^63", true, "*1\r\n$99999999999999999999\r\n"),
                new Case("multibulk count beyond max-request-args", true, "*2000000\r\n"),
                new Case("multibulk count beyond 2^63", true, "*99999999999999999999\r\n"),
                new Case("non-numeric multibulk count", true, "*abc\r\n"),
                new Case("nested array", true, "*1\r\n*1\r\n$4\r\nPING\r\n"),
                new Case("simple string instead of bulk", true, "*2\r\n+GET\r\n+k\r\n"),
                new Case("bulk shorter than its length", true, "*1\r\n$4\r\nPINGXX\r\n"),
                new Case("garbage after a good frame", true, 1,
                        (ping + "*1\r\n$3\r\nabcdef\r\n").getBytes(StandardCharsets.ISO_8859_1)),
                new Case("garbage after a write that waits for the log", true, 1,
                        "*3\r\n$3\r\nSET\r\n$7\r\nfuzz:ok\r\n$1\r\nv\r\n*1\r\n$-5\r\n"
                                .getBytes(StandardCharsets.ISO_8859_1)),
                new Case("garbage after a pipeline of writes", true, 3,
                        ("SET fuzz:p1 a\r\nINCR fuzz:p2\r\nHSET fuzz:p3 f v\r\n" + "*1\r\n*0\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1)),
                new Case("unbalanced double quote (inline)", true, "SET \"foo bar\r\n"),
                new Case("unbalanced single quote (inline)", true, "GET 'x\r\n"),
                new Case("unbalanced quotes before AUTH", false, "AUTH \"pw\r\n"),
                new Case("inline line over 64 KiB", true, 0, repeat('A', 70_000)),
                new Case("multibulk header line over 64 KiB", true, 0,
                        concat("*".getBytes(StandardCharsets.ISO_8859_1), repeat('1', 70_000))),
                new Case("bulk header line over 64 KiB", true, 0,
                        concat("*1\r\n$".getBytes(StandardCharsets.ISO_8859_1), repeat('1', 70_000))),
                new Case("11 arguments before AUTH", false, "*11\r\n"),
                new Case("16 KiB + 1 bulk before AUTH", false, "*2\r\n$3\r\nSET\r\n$16385\r\n"),
                new Case("huge bulk before AUTH", false, "*1\r\n$600000000\r\n"));
    }

    /** Well-formed requests to mutate; only fuzz: keys and nothing that touches other keys. */
    private static final List<String[]> CORPUS = List.of(
            new String[] {"PING"}, new String[] {"ECHO", "hello"}, new String[] {"SET", "fuzz:k", "v"},
            new String[] {"GET", "fuzz:k"}, new String[] {"HSET", "fuzz:h", "f", "v"},
            new String[] {"SADD", "fuzz:s", "m1", "m2"}, new String[] {"RPUSH", "fuzz:l", "a", "b", "c"},
            new String[] {"INCR", "fuzz:n"}, new String[] {"MGET", "fuzz:a", "fuzz:b"},
            new String[] {"EXPIRE", "fuzz:k", "1000"}, new String[] {"MULTI"}, new String[] {"EXEC"},
            new String[] {"DISCARD"}, new String[] {"CLIENT", "SETNAME", "fuzzer"}, new String[] {"HELLO", "3"},
            new String[] {"SELECT", "0"});

    private static final String[] TOKENS = {"*", "$", "-1", "0", "1", "2", "3", "-7", "10", "1048577",
        "99999999999", "536870912", "\r\n", "\r", "\n", "PING", "SET", "GET", "fuzz:x", "\"", "'", " ", "\\x4",
        "+OK", ":1", "%2", "~1", "\0", "\u00ff"};

    /** Random bytes, a mutated well-formed pipeline, or random RESP-like tokens. */
    static byte[] random(RandomGenerator r) {
        return switch (r.nextInt(3)) {
            case 0 -> {
                byte[] bytes = new byte[1 + r.nextInt(300)];
                r.nextBytes(bytes);
                yield bytes;
            }
            case 1 -> mutated(r);
            default -> {
                StringBuilder text = new StringBuilder();
                for (int i = 0, n = 1 + r.nextInt(40); i < n; i++) {
                    text.append(TOKENS[r.nextInt(TOKENS.length)]);
                }
                yield text.toString().getBytes(StandardCharsets.ISO_8859_1);
            }
        };
    }

    /** One to three corpus requests, then one to four byte-level mutations. */
    static byte[] mutated(RandomGenerator r) {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
            frames.writeBytes(RespCommandWriter.encode(CORPUS.get(r.nextInt(CORPUS.size()))));
        }
        byte[] bytes = frames.toByteArray();
        for (int m = 0, n = 1 + r.nextInt(4); m < n && bytes.length > 1; m++) {
            int at = r.nextInt(bytes.length);
            bytes = switch (r.nextInt(5)) {
                case 0 -> set(bytes, at, (byte) r.nextInt(256));
                case 1 -> set(bytes, at, (byte) ("0123456789-*$\r\n".charAt(r.nextInt(15))));
                case 2 -> concat(slice(bytes, 0, at), slice(bytes, at + 1, bytes.length)); // delete
                case 3 -> concat(slice(bytes, 0, at), new byte[] {(byte) r.nextInt(256)}, slice(bytes, at, bytes.length));
                default -> slice(bytes, 0, at); // truncate
            };
        }
        return bytes;
    }

    private static byte[] set(byte[] bytes, int at, byte value) {
        byte[] copy = bytes.clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] slice(byte[] bytes, int from, int to) {
        return Arrays.copyOfRange(bytes, from, to);
    }

    static byte[] repeat(char c, int n) {
        return String.valueOf(c).repeat(n).getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
