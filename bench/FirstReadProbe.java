import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * How often a read on a replica, sent right after the primary acknowledged a write, misses that write; from a
 * fast client (a JVM; repl_lag.py's Python client takes tens of microseconds more between the two, which
 * hides most of the race). Any RESP server:
 *
 * <pre>  $JAVA_HOME/bin/java bench/FirstReadProbe.java PRIMARY_PORT REPLICA_PORT [PROBES=5000]</pre>
 *
 * Two passes of PROBES (SET key 1 on the primary, then one GET key on the replica); the first warms the JIT
 * of this client, the second is the figure. Prints "misses M of PROBES" for each.
 */
public final class FirstReadProbe {
    private static final int MAX_PROBES = 1_000_000;

    private static final class Connection implements Closeable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        /** Sends one command; returns a simple reply's text, a bulk's text, or null for a nil bulk. */
        String call(String... args) throws IOException {
            StringBuilder command = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                command.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
            }
            out.write(command.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            String header = line();
            if (header.startsWith("-")) {
                throw new IOException("error reply: " + header);
            }
            if (header.startsWith("$")) {
                return header.equals("$-1") ? null : line();
            }
            return header.substring(1);
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\r'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                line.append((char) c);
            }
            in.read(); // '\n'
            return line.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: FirstReadProbe PRIMARY_PORT REPLICA_PORT [PROBES]");
            System.exit(2);
        }
        int probes = args.length > 2 ? Integer.parseInt(args[2]) : 5000;
        if (probes < 1 || probes > MAX_PROBES) {
            System.err.println("PROBES must be between 1 and " + MAX_PROBES);
            System.exit(2);
        }
        try (Connection primary = new Connection(Integer.parseInt(args[0]));
                Connection replica = new Connection(Integer.parseInt(args[1]))) {
            for (String pass : new String[] {"warm-up", "measured"}) {
                int misses = 0;
                for (int i = 0; i < probes; i++) {
                    String key = "first-read:" + pass + ":" + i + ":" + System.nanoTime();
                    primary.call("SET", key, "1");
                    if (replica.call("GET", key) == null) {
                        misses++;
                    }
                }
                System.out.println(pass + ": misses " + misses + " of " + probes);
            }
        }
    }
}
