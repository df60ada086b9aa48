package io.tandem.cli;

import io.tandem.wire.resp.RespCommandWriter;
import io.tandem.wire.resp.RespValue;
import io.tandem.wire.resp.RespValueReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One short conversation with a node over its client port, for the operator commands (status, failover):
 * connect (2 s), authenticate if a password is set, send one command, read its reply (5 s). Errors become
 * IOExceptions carrying the node's text.
 */
final class NodeClient {
    private NodeClient() {}

    /** Sends one command and returns its reply (an error reply throws, with the node's text). */
    static RespValue command(String host, int port, String password, String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            socket.setSoTimeout(5000);
            RespCommandWriter out = new RespCommandWriter(socket.getOutputStream());
            RespValueReader in = new RespValueReader(socket.getInputStream());
            if (password != null) {
                out.write("AUTH", password);
                out.flush();
                if (in.read() instanceof RespValue.Error error) {
                    throw new IOException(error.text());
                }
            }
            out.write(args);
            out.flush();
            RespValue reply = in.read();
            if (reply instanceof RespValue.Error error) {
                throw new IOException(error.text());
            }
            return reply;
        }
    }

    /** INFO replication as field -> value. */
    static Map<String, String> info(String host, int port, String password) throws IOException {
        RespValue reply = command(host, port, password, "INFO", "replication");
        String text = reply instanceof RespValue.Bulk bulk ? new String(bulk.bytes(), StandardCharsets.UTF_8)
                : reply.toString();
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }
}
