package io.tandem.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.storage.wal.FsyncPolicy;
import io.tandem.wire.resp.RespValueReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline mixes keyspace commands (whose replies wait for the log) with session commands (answered at
 * once): the replies must still come back in request order, each in the protocol version in force when
 * its command ran.
 */
class ReplyOrderTest {
    @TempDir
    Path dir;

    @Test
    void sessionRepliesWaitBehindKeyspaceRepliesAndKeepTheirProtocol() throws Exception {
        try (TandemNode node = TandemNode.start(NodeConfig.forTest(dir, FsyncPolicy.ALWAYS));
                Socket socket = new Socket("127.0.0.1", node.port())) {
            OutputStream out = socket.getOutputStream();
            // One write: SET (waits for its fsync), GET of a missing key, CLIENT SETNAME, HELLO 3, GET again.
            out.write(("SET a 1\r\nGET missing\r\nCLIENT SETNAME x\r\nCLIENT GETNAME\r\nHELLO 3\r\nGET missing\r\n"
                    + "GET a\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RespValueReader in = new RespValueReader(socket.getInputStream());
            assertEquals("+OK", in.read().toString());
            assertEquals("(nil)", in.read().toString(), "RESP2 nil: HELLO 3 came later in the pipeline");
            assertEquals("+OK", in.read().toString());
            assertEquals("\"x\"", in.read().toString());
            String hello = in.read().toString();
            assertEquals('{', hello.charAt(0), hello);
            assertEquals("(null)", in.read().toString(), "RESP3 null after HELLO 3");
            assertEquals("\"1\"", in.read().toString());
        }
    }
}
