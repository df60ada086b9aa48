package io.tandem.server.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tandem.server.agent.NodeAgent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The admin HTTP port: {@code /metrics} (Prometheus text format), {@code /api/status} (JSON) and
 * {@code /} (an index). Each request reads the node's state on the agent thread (a task on its loop), so
 * the numbers are consistent with each other and the agent's fields need no synchronization.
 */
public final class AdminServer {
    private final HttpServer server;
    private final ExecutorService threads;

    private AdminServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    public static AdminServer start(String bind, int port, NodeAgent agent) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bind, port), 64);
        } catch (IOException e) {
            throw new IOException("cannot listen on admin port " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "tandem-admin");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/metrics", exchange -> respond(exchange, "text/plain; version=0.0.4; charset=utf-8",
                () -> MetricsRenderer.render(agent), agent));
        server.createContext("/api/status", exchange -> respond(exchange, "application/json",
                () -> StatusJson.render(agent), agent));
        server.createContext("/", exchange -> {
            if (!exchange.getRequestURI().getPath().equals("/")) {
                send(exchange, 404, "text/plain", "not found: " + exchange.getRequestURI().getPath() + "\n");
                return;
            }
            send(exchange, 200, "text/html; charset=utf-8", "<!doctype html><title>Tandem</title><h1>Tandem</h1>"
                    + "<ul><li><a href=\"/api/status\">/api/status</a> (JSON)</li>"
                    + "<li><a href=\"/metrics\">/metrics</a> (Prometheus)</li></ul>\n");
        });
        server.start();
        return new AdminServer(server, threads);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void stop() {
        server.stop(0);
        threads.shutdownNow();
    }

    private static void respond(HttpExchange exchange, String type, Callable<String> render, NodeAgent agent)
            throws IOException {
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
            send(exchange, 405, "text/plain", "method not allowed\n");
            return;
        }
        String body;
        try {
            body = agent.loop().submit(render).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            send(exchange, 503, "text/plain", "node is not answering: " + e + "\n");
            return;
        }
        send(exchange, 200, type, body);
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
