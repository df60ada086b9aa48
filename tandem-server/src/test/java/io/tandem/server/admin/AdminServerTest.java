package io.tandem.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.storage.wal.FsyncPolicy;
import io.tandem.wire.resp.RespCommandWriter;
import io.tandem.wire.resp.RespValueReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin port serves Prometheus metrics and a JSON status that reflect what clients did. */
class AdminServerTest {
    @TempDir
    Path dir;

    @Test
    void metricsAndStatusShowTheCommandsClientsSent() throws Exception {
        try (TandemNode node = TandemNode.start(NodeConfig.forTest(dir, FsyncPolicy.BATCH));
                Socket socket = new Socket("127.0.0.1", node.port())) {
            RespCommandWriter out = new RespCommandWriter(socket.getOutputStream());
            RespValueReader in = new RespValueReader(socket.getInputStream());
            for (int i = 0; i < 5; i++) {
                out.write("SET", "k" + i, "v");
            }
            out.write("GET", "k1");
            out.write("NOSUCHCOMMAND");
            out.write("GET", "a", "b");
            out.flush();
            for (int i = 0; i < 8; i++) {
                in.read();
            }
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + node.adminPort();
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            String text = metrics.body();
            assertTrue(text.contains("tandem_commands_total{command=\"set\"} 5\n"), text);
            assertTrue(text.contains("tandem_commands_total{command=\"get\"} 2\n"), text);
            assertTrue(text.contains("tandem_command_errors_total{command=\"get\"} 1\n"), text);
            assertTrue(text.contains("tandem_keys 5\n"), text);
            assertTrue(text.contains("tandem_command_latency_seconds_count 6\n"), text);
            assertTrue(text.contains("# TYPE tandem_wal_fsync_seconds histogram"), text);
            assertTrue(text.contains("tandem_wal_fsync_batch_records_sum 5\n"), text);
            assertTrue(text.contains("tandem_lsn_durable 5\n"), text);
            assertTrue(text.contains("tandem_ack_settings_info{policy=\"async\",level=\"durable\","
                    + "on_ack_timeout=\"error\"} 1\n"), text);

            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(base + "/api/status")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, status.statusCode());
            assertEquals("application/json", status.headers().firstValue("Content-Type").orElse(""));
            assertTrue(status.body().contains("\"keys\":5"), status.body());
            assertTrue(status.body().contains("\"lastLsn\":5"), status.body());
            assertTrue(status.body().contains("\"port\":" + node.port()), status.body());

            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(base + "/nope")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
        }
    }
}
