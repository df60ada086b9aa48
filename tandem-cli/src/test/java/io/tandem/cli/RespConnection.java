package io.tandem.cli;

import io.tandem.wire.resp.RespCommandWriter;
import io.tandem.wire.resp.RespValue;
import io.tandem.wire.resp.RespValueReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A blocking RESP client over loopback for process-level tests, built on the wire module's toolkit. */
final class RespConnection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final RespCommandWriter writer;
    private final RespValueReader reader;

    RespConnection(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(15_000); // a hung server fails the test instead of hanging it
        out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
        writer = new RespCommandWriter(out);
        reader = new RespValueReader(socket.getInputStream());
    }

    RespValue call(String... args) throws IOException {
        writer.write(args);
        out.flush();
        return reader.read();
    }

    /** Sends the commands as one pipeline and returns their replies in order. */
    List<RespValue> pipeline(List<String[]> commands) throws IOException {
        for (String[] command : commands) {
            writer.write(command);
        }
        out.flush();
        List<RespValue> replies = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            replies.add(reader.read());
        }
        return replies;
    }

    /** TANDEM.DIGEST of the node on {@code port}, over a connection of its own. */
    static String digest(int port) throws IOException {
        try (RespConnection conn = new RespConnection(port)) {
            return conn.call("TANDEM.DIGEST").toString();
        }
    }

    /** MGET of the keys in chunks; null for a missing key. */
    List<String> mget(List<String> keys) throws IOException {
        List<String> values = new ArrayList<>(keys.size());
        for (int from = 0; from < keys.size(); from += 500) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + 500));
            String[] args = new String[chunk.size() + 1];
            args[0] = "MGET";
            for (int i = 0; i < chunk.size(); i++) {
                args[i + 1] = chunk.get(i);
            }
            RespValue reply = call(args);
            if (!(reply instanceof RespValue.Array array) || array.items().size() != chunk.size()) {
                throw new AssertionError("MGET replied " + reply);
            }
            for (RespValue item : array.items()) {
                values.add(item instanceof RespValue.Bulk bulk ? new String(bulk.bytes(), StandardCharsets.UTF_8)
                        : null);
            }
        }
        return values;
    }

    long dbsize() throws IOException {
        RespValue reply = call("DBSIZE");
        if (reply instanceof RespValue.Int n) {
            return n.value();
        }
        throw new AssertionError("DBSIZE replied " + reply);
    }

    /** The value of one field of INFO's text ("snapshots_taken" -> "1"), or null. */
    String info(String section, String field) throws IOException {
        RespValue reply = call("INFO", section);
        if (!(reply instanceof RespValue.Bulk bulk)) {
            throw new AssertionError("INFO replied " + reply);
        }
        for (String line : new String(bulk.bytes(), StandardCharsets.UTF_8).split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        return null;
    }

    static boolean isOk(RespValue reply) {
        return reply instanceof RespValue.Simple s && s.text().equals("OK");
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
