package io.tandem.wire.resp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes commands as RESP multibulk requests ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"), the form every client
 * sends. Each command goes to the stream in one write call, so an unbuffered socket stream sends it in
 * one segment rather than one per header.
 */
public final class RespCommandWriter {
    private final OutputStream out;

    public RespCommandWriter(OutputStream out) {
        this.out = out;
    }

    public void write(byte[]... args) throws IOException {
        out.write(encode(List.of(args)));
    }

    public void write(List<byte[]> args) throws IOException {
        out.write(encode(args));
    }

    /** Each argument as UTF-8. */
    public void write(String... args) throws IOException {
        out.write(encode(args));
    }

    public void flush() throws IOException {
        out.flush();
    }

    public static byte[] encode(List<byte[]> args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 16 * args.size());
        header(bytes, '*', args.size());
        for (byte[] arg : args) {
            header(bytes, '$', arg.length);
            bytes.writeBytes(arg);
            bytes.write('\r');
            bytes.write('\n');
        }
        return bytes.toByteArray();
    }

    public static byte[] encode(byte[]... args) {
        return encode(List.of(args));
    }

    public static byte[] encode(String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return encode(bytes);
    }

    private static void header(ByteArrayOutputStream bytes, char type, int count) {
        bytes.write(type);
        bytes.writeBytes(Integer.toString(count).getBytes(StandardCharsets.US_ASCII));
        bytes.write('\r');
        bytes.write('\n');
    }
}
