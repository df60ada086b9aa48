package io.tandem.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The fault lab's TCP proxy in front of the nodes' peer ports: partitions without root, iptables or
 * network namespaces. Each <em>route</em> is one loopback listener forwarding every connection made to it
 * to one target (a node's real peer port). A route can be black-holed and healed at run time.
 *
 * <p>Why a route per (dialing node, target node) pair and not one listener per target: the proxy must know
 * whose traffic a connection carries, and every node dials from 127.0.0.1 on an ephemeral port; only the
 * peer frames inside name their sender. So node A reaches B through route "A->B", and cutting A off is
 * black-holing every route that starts or ends at A. (Each node also receives on connections the others
 * opened, and answers on them when its own is down: those are routes too, so both directions go.)
 *
 * <p>Black-holed means silent, as a real partition is: bytes from either end are read and thrown away, so
 * neither node sees an error or back-pressure, only silence; a connection opened meanwhile is accepted and
 * never passed on. Healing closes those connections rather than resuming them: bytes were dropped in the
 * middle of their length-prefixed frames, so neither stream can be read on. The nodes open new ones (a
 * node retries a peer connection every 200 ms), which are forwarded again.
 *
 * <p>One selector thread serves every route. Buffers are bounded ({@link #BUFFER_BYTES} per direction per
 * connection, at most {@link #MAX_CONNECTIONS_PER_ROUTE} connections per route; one more is closed as it is
 * accepted): a slow reader slows its writer through TCP, the proxy never grows.
 */
final class PeerProxy implements AutoCloseable {
    static final int BUFFER_BYTES = 64 * 1024;
    /** A node keeps one connection per peer open, a few more while reconnecting: far below this. */
    static final int MAX_CONNECTIONS_PER_ROUTE = 16;
    /** How long a caller waits for the selector thread to carry out a change. */
    private static final long CALL_TIMEOUT_MILLIS = 10_000;

    /** What one route did, for tests and the lab's log lines. Byte counts are since the route was added. */
    record Stats(boolean blackHoled, int open, long accepted, long refused, long forwardedBytes,
            long discardedBytes) {}

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Selector thread only. */
    private final Map<String, Route> routes = new LinkedHashMap<>();
    private volatile boolean closed;

    PeerProxy() throws IOException {
        selector = Selector.open();
        thread = new Thread(this::run, "lab-peer-proxy");
        thread.setDaemon(true);
        thread.start();
    }

    /** Listens on a free loopback port and forwards what arrives to {@code target}; returns the port. */
    int addRoute(String name, InetSocketAddress target) throws IOException {
        return call(() -> {
            if (routes.containsKey(name)) {
                throw new IllegalArgumentException("route " + name + " exists");
            }
            try {
                ServerSocketChannel listener = ServerSocketChannel.open();
                listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
                listener.configureBlocking(false);
                Route route = new Route(listener, target);
                listener.register(selector, SelectionKey.OP_ACCEPT, route);
                routes.put(name, route);
                return ((InetSocketAddress) listener.getLocalAddress()).getPort();
            } catch (IOException e) {
                throw new IllegalStateException("route " + name + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * Stops forwarding on the routes, both ways, for connections open now and those opened later; all of them
     * at once (one step of the selector thread), so a node is never half cut off. When this returns, no byte
     * crosses these routes any more.
     */
    void blackHole(String... names) throws IOException {
        call(() -> {
            List<Route> cut = Stream.of(names).map(this::route).toList(); // every name known before any cut
            for (Route route : cut) {
                route.blackHoled = true;
                for (Connection c : List.copyOf(route.connections)) {
                    c.silence();
                }
            }
            return null;
        });
    }

    /** Forwards again: closes the connections silenced meanwhile (see the class comment); new ones pass. */
    void heal(String... names) throws IOException {
        call(() -> {
            List<Route> healed = Stream.of(names).map(this::route).toList();
            for (Route route : healed) {
                route.blackHoled = false;
                for (Connection c : List.copyOf(route.connections)) {
                    if (c.silent) {
                        c.close();
                    }
                }
            }
            return null;
        });
    }

    Stats stats(String name) throws IOException {
        return call(() -> {
            Route r = route(name);
            return new Stats(r.blackHoled, r.connections.size(), r.accepted, r.refused, r.forwardedBytes,
                    r.discardedBytes);
        });
    }

    private Route route(String name) {
        Route route = routes.get(name);
        if (route == null) {
            throw new IllegalArgumentException("no route " + name + " (routes: " + routes.keySet() + ")");
        }
        return route;
    }

    /** Runs {@code task} on the selector thread (the only one touching channels) and waits for it, bounded. */
    private <T> T call(Supplier<T> task) throws IOException {
        if (closed) {
            throw new IOException("the peer proxy is closed");
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(task.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        selector.wakeup();
        try {
            return result.get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the peer proxy", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the peer proxy did not answer within " + CALL_TIMEOUT_MILLIS + " ms");
        }
    }

    private void run() {
        try {
            while (!closed) {
                selector.select();
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    task.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    handle(key);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("lab peer proxy stopped: " + e);
        } finally {
            for (Route route : routes.values()) {
                for (Connection c : List.copyOf(route.connections)) {
                    c.close();
                }
                closeQuietly(route.listener);
            }
            closeQuietly(selector);
            for (Runnable task; (task = tasks.poll()) != null; ) {
                task.run(); // callers waiting get an answer (on closed channels) rather than a timeout
            }
        }
    }

    private void handle(SelectionKey key) {
        try {
            if (key.attachment() instanceof Route route) {
                if (key.isAcceptable()) {
                    accept(route);
                }
                return;
            }
            End end = (End) key.attachment();
            if (key.isConnectable()) {
                end.connection.connected();
            }
            if (key.isValid() && key.isReadable()) {
                end.connection.read(end);
            }
            if (key.isValid() && key.isWritable()) {
                end.connection.flush(end.other());
            }
        } catch (CancelledKeyException e) {
            // closed by an earlier key of the same connection in this round
        } catch (RuntimeException e) {
            // a bug here must cost one connection, not every route: the nodes reconnect
            System.err.println("lab peer proxy: dropping a connection after " + e);
            if (key.attachment() instanceof End end) {
                end.connection.close();
            }
        }
    }

    private void accept(Route route) {
        SocketChannel accepted;
        try {
            accepted = route.listener.accept();
        } catch (IOException e) {
            return; // the client gave up already
        }
        if (accepted == null) {
            return;
        }
        if (route.connections.size() >= MAX_CONNECTIONS_PER_ROUTE) {
            route.refused++;
            closeQuietly(accepted);
            return;
        }
        route.accepted++;
        Connection c = new Connection(route);
        try {
            c.down.channel = accepted;
            accepted.configureBlocking(false);
            accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.down.key = accepted.register(selector, 0, c.down);
            route.connections.add(c);
            if (route.blackHoled) {
                c.silent = true; // accepted (as the kernel already did), never passed on
            } else {
                SocketChannel up = SocketChannel.open();
                c.up.channel = up;
                up.configureBlocking(false);
                up.setOption(StandardSocketOptions.TCP_NODELAY, true);
                boolean now = up.connect(route.target);
                c.up.key = up.register(selector, 0, c.up);
                if (now) {
                    c.connected();
                }
            }
            c.interest();
        } catch (IOException e) {
            c.close(); // the target is down: the dialer sees its connection closed, as it would see a refusal
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(CALL_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static final class Route {
        final ServerSocketChannel listener;
        final InetSocketAddress target;
        final Set<Connection> connections = new LinkedHashSet<>();
        boolean blackHoled;
        long accepted;
        long refused;
        long forwardedBytes;
        long discardedBytes;

        Route(ServerSocketChannel listener, InetSocketAddress target) {
            this.listener = listener;
            this.target = target;
        }
    }

    /** One side of a proxied connection: its channel, and the bytes read from it not yet written to the other. */
    private static final class End {
        final Connection connection;
        final ByteBuffer inbound = ByteBuffer.allocate(BUFFER_BYTES); // kept in fill mode: position = bytes held
        SocketChannel channel;
        SelectionKey key;
        boolean eof;

        End(Connection connection) {
            this.connection = connection;
        }

        End other() {
            return this == connection.down ? connection.up : connection.down;
        }
    }

    /** A dialer's connection ({@code down}) and the proxy's own to the target ({@code up}). Selector thread. */
    private static final class Connection {
        final Route route;
        final End down = new End(this);
        final End up = new End(this);
        boolean upConnected;
        boolean silent;
        boolean closed;

        Connection(Route route) {
            this.route = route;
        }

        void connected() {
            try {
                upConnected = up.channel.finishConnect();
            } catch (IOException e) {
                close(); // the target is down (a killed node): the dialer retries, as it would without us
                return;
            }
            if (upConnected) {
                flush(up); // what the dialer sent while we connected
            }
            interest();
        }

        /** Reads what {@code from} has; passes it on, or drops it when silent. */
        void read(End from) {
            if (closed) {
                return;
            }
            int n;
            try {
                if (silent) {
                    from.inbound.clear();
                }
                n = from.channel.read(from.inbound);
            } catch (IOException e) {
                close();
                return;
            }
            if (silent) {
                if (n < 0) {
                    close(); // nothing to finish: nothing passes anyway
                } else {
                    route.discardedBytes += n;
                    from.inbound.clear();
                }
                return;
            }
            if (n < 0) {
                from.eof = true;
            }
            flush(from.other());
        }

        /** Writes to {@code to} what the other side sent; passes an end of stream on once all of it is out. */
        void flush(End to) {
            if (closed || silent) {
                return;
            }
            End from = to.other();
            if (to == up && !upConnected) {
                interest();
                return;
            }
            try {
                from.inbound.flip();
                int n = to.channel.write(from.inbound);
                from.inbound.compact();
                route.forwardedBytes += n;
                if (from.eof && from.inbound.position() == 0) {
                    to.channel.shutdownOutput(); // the dialer (or target) closed its side: say so to the other
                }
            } catch (IOException e) {
                close();
                return;
            }
            if (down.eof && up.eof && down.inbound.position() == 0 && up.inbound.position() == 0) {
                close();
                return;
            }
            interest();
        }

        /**
         * Stops passing anything on: drops what is buffered, and reads both sides from now on only to throw
         * the bytes away. A connection to the target still being opened is abandoned.
         */
        void silence() {
            silent = true;
            down.inbound.clear();
            up.inbound.clear();
            if (!upConnected && up.channel != null) {
                if (up.key != null) {
                    up.key.cancel();
                }
                closeQuietly(up.channel);
                up.channel = null;
                up.key = null;
            }
            interest();
        }

        /** What each side waits for now. */
        void interest() {
            if (closed) {
                return;
            }
            set(down, readable(down) | writable(down));
            if (up.key != null) {
                set(up, upConnected ? readable(up) | writable(up) : silent ? 0 : SelectionKey.OP_CONNECT);
            }
        }

        /** Read while the side is open and its bytes have room, or are dropped anyway. */
        private int readable(End end) {
            return !end.eof && (silent || end.inbound.hasRemaining()) ? SelectionKey.OP_READ : 0;
        }

        /** Write while the other side's bytes wait for this one. */
        private int writable(End end) {
            return !silent && end.other().inbound.position() > 0 ? SelectionKey.OP_WRITE : 0;
        }

        private static void set(End end, int ops) {
            if (end.key != null && end.key.isValid()) {
                end.key.interestOps(ops);
            }
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            route.connections.remove(this);
            for (End end : List.of(down, up)) {
                if (end.key != null) {
                    end.key.cancel();
                }
                closeQuietly(end.channel);
            }
        }
    }
}
