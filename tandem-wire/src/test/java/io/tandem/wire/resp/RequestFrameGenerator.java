package io.tandem.wire.resp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Generates valid request frames within given limits, each with the arguments it encodes: multibulk
 * frames, inline frames (plain, "double quoted" with escapes, 'single quoted') and empty requests.
 */
final class RequestFrameGenerator {

    /** A frame and the request it decodes to (null for an empty request, which decodes to nothing). */
    record Frame(byte[] bytes, byte[][] args) {}

    private final Random random;
    private final RequestLimits limits;
    private final boolean authenticated;

    RequestFrameGenerator(Random random, RequestLimits limits, boolean authenticated) {
        this.random = random;
        this.limits = limits;
        this.authenticated = authenticated;
    }

    Frame next() {
        int kind = random.nextInt(20);
        if (kind == 0) {
            return emptyFrame();
        }
        byte[][] args = randomArgs();
        Frame frame = kind < 8 ? inline(args) : null;
        if (frame == null) {
            frame = new Frame(RespCommandWriter.encode(args), args);
        }
        return frame.bytes().length <= limits.requestBytesLimit(authenticated) ? frame : emptyFrame();
    }

    private Frame emptyFrame() {
        String text = switch (random.nextInt(5)) {
            case 0 -> "*0\r\n";
            case 1 -> "*-1\r\n";
            case 2 -> "*-" + (1 + random.nextInt(999)) + "\r\n"; // "*-0" is not an integer to Redis
            case 3 -> "\r\n";
            default -> " \t \n";
        };
        return new Frame(text.getBytes(StandardCharsets.US_ASCII), null);
    }

    private byte[][] randomArgs() {
        int maxArgs = limits.argsLimit(authenticated);
        int count = 1 + (random.nextInt(10) == 0 ? random.nextInt(Math.min(maxArgs, 40)) : random.nextInt(Math.min(maxArgs, 5)));
        byte[][] args = new byte[count][];
        int maxBulk = limits.bulkBytesLimit(authenticated);
        for (int i = 0; i < count; i++) {
            int bound = switch (random.nextInt(50)) {
                case 0 -> 5000;
                case 1, 2, 3 -> 300;
                default -> 12;
            };
            args[i] = new byte[random.nextInt(Math.min(maxBulk, bound) + 1)];
            fill(args[i]);
        }
        return args;
    }

    private void fill(byte[] arg) {
        int style = random.nextInt(3);
        random.nextBytes(arg);
        for (int i = 0; i < arg.length && style < 2; i++) {
            int r = arg[i] & 0xff;
            // style 0: plain tokens; style 1: printable, with quotes and spaces; style 2: anything.
            arg[i] = (byte) (style == 0 ? 'a' + r % 26 : ' ' + r % 95);
        }
    }

    /** The args as an inline line, or null when it would be longer than a line may be. */
    private Frame inline(byte[][] args) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        if (random.nextInt(4) == 0) {
            line.write(' ');
        }
        for (int i = 0; i < args.length; i++) {
            if (i > 0) {
                line.writeBytes(random.nextBoolean() ? new byte[] {' '} : new byte[] {'\t', ' '});
            }
            writeInlineArgument(args[i], i == 0, line);
        }
        boolean crlf = random.nextBoolean();
        // The line, the '\r' included, must fit maxInlineBytes before its '\n'.
        if (line.size() + (crlf ? 1 : 0) > limits.maxInlineBytes()) {
            return null;
        }
        line.writeBytes(crlf ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
        return new Frame(line.toByteArray(), args);
    }

    private void writeInlineArgument(byte[] arg, boolean first, ByteArrayOutputStream out) {
        boolean plain = arg.length > 0 && !(first && arg[0] == '*');
        boolean singleQuotable = true;
        for (byte b : arg) {
            plain &= b > ' ' && b < 0x7f && b != '"' && b != '\'';
            singleQuotable &= b >= ' ' && b < 0x7f && b != '\'' && b != '\\';
        }
        if (plain && random.nextInt(4) != 0) {
            out.writeBytes(arg);
        } else if (singleQuotable && random.nextBoolean()) {
            out.write('\'');
            out.writeBytes(arg);
            out.write('\'');
        } else {
            writeDoubleQuoted(arg, out);
        }
    }

    private void writeDoubleQuoted(byte[] arg, ByteArrayOutputStream out) {
        out.write('"');
        for (byte b : arg) {
            int c = b & 0xff;
            String escaped = switch (c) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> random.nextBoolean() ? "\\t" : "\t";
                case 7 -> "\\a";
                case '\b' -> "\\b";
                default -> c >= ' ' && c < 0x7f && random.nextInt(8) != 0 ? null : hexEscape(c);
            };
            if (escaped == null) {
                out.write(c);
            } else {
                out.writeBytes(escaped.getBytes(StandardCharsets.US_ASCII));
            }
        }
        out.write('"');
    }

    /** "\\x4f" or "\\x4F": sdssplitargs accepts both cases. */
    private String hexEscape(int c) {
        String digits = random.nextBoolean() ? "0123456789abcdef" : "0123456789ABCDEF";
        return "\\x" + digits.charAt(c >> 4) + digits.charAt(c & 0xf);
    }
}
