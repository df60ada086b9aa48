package io.tandem.server.compat;

import io.tandem.wire.resp.RespCommandWriter;
import io.tandem.wire.resp.RespValue;
import io.tandem.wire.resp.RespValueReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

/** One blocking RESP connection to 127.0.0.1: write a command, read its reply. */
final class RespConnection implements AutoCloseable {
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(5);

    private final Socket socket;
    private final RespCommandWriter writer;
    private final RespValueReader reader;

    RespConnection(int port) throws IOException {
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) REPLY_TIMEOUT.toMillis());
            socket.setSoTimeout((int) REPLY_TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
            writer = new RespCommandWriter(socket.getOutputStream());
            reader = new RespValueReader(socket.getInputStream());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    RespValue call(List<byte[]> args) throws IOException {
        writer.write(args);
        writer.flush();
        return reader.read();
    }

    RespValue call(String... args) throws IOException {
        writer.write(args);
        writer.flush();
        return reader.read();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
