package io.tandem.server.agent;

import io.tandem.core.model.NodeId;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks a replica set to add this node (config key {@code join}): sends {@code TANDEM.MEMBERS ADD <self>
 * <peer address> [NONVOTING]} to the member given, and, told by a follower where the leader is, to the
 * leader. Once the change is committed the leader streams to this node, which a snapshot or the log
 * bootstraps; nothing more is needed from here. Runs on its own thread, once, at the first start of a node
 * with an empty data directory.
 *
 * <p>What each answer means: {@code +OK} added; {@code -ERR <self> is already a member} added by an earlier
 * attempt (its answer was lost); {@code -READONLY ... the leader is n1 at host:port} ask there;
 * {@code -TRYAGAIN} (another change or an election under way) and a connection failure: ask again after a
 * pause; any other error: give up and say why (the node keeps running, outside the replica set, until an
 * operator adds it by hand).
 */
public final class Joiner implements Runnable {
    private static final System.Logger LOG = System.getLogger(Joiner.class.getName());
    static final long RETRY_MILLIS = 500;
    /** How long to keep asking before giving up: long enough for an election or a slow change. */
    static final long GIVE_UP_AFTER_MILLIS = 120_000;
    private static final int SOCKET_TIMEOUT_MILLIS = 10_000;
    /** Longest reply line read (an error naming the leader is far shorter). */
    private static final int MAX_LINE_BYTES = 4096;
    private static final Pattern LEADER_AT = Pattern.compile("the leader is \\S+ at (\\S+:\\d+)$");

    private final NodeId self;
    private final String peerAddress;
    private final boolean voting;
    private final String firstTarget;
    private final String password;
    private final BooleanSupplier stopped;

    /**
     * @param peerAddress where the members reach this node (host:peer-port)
     * @param target      host:port of a member's client port
     * @param password    requirepass of the replica set's members (empty: none)
     */
    public Joiner(NodeId self, String peerAddress, boolean voting, String target, String password,
            BooleanSupplier stopped) {
        this.self = self;
        this.peerAddress = peerAddress;
        this.voting = voting;
        this.firstTarget = target;
        this.password = password;
        this.stopped = stopped;
    }

    @Override
    public void run() {
        String target = firstTarget;
        long deadline = System.nanoTime() + GIVE_UP_AFTER_MILLIS * 1_000_000;
        LOG.log(System.Logger.Level.INFO, "joining the replica set through " + target + " as " + self + " ("
                + (voting ? "voting" : "non-voting") + ", peers reach it at " + peerAddress + ")");
        while (!stopped.getAsBoolean()) {
            String answer;
            try {
                answer = ask(target);
            } catch (IOException e) {
                answer = "(no answer: " + e.getMessage() + ")";
            }
            if (answer.equals("+OK") || answer.equals("-ERR " + self + " is already a member")) {
                LOG.log(System.Logger.Level.INFO, "joined: " + target + " added " + self
                        + " to the replica set; the leader streams to it from now on");
                return;
            }
            Matcher leader = LEADER_AT.matcher(answer);
            if (answer.startsWith("-READONLY") && leader.find() && !leader.group(1).equals(target)) {
                LOG.log(System.Logger.Level.INFO, target + " is not the leader; asking the leader at " + leader.group(1));
                target = leader.group(1);
                continue;
            }
            boolean retry = answer.startsWith("(no answer") || answer.startsWith("-TRYAGAIN")
                    || answer.startsWith("-READONLY");
            if (!retry || System.nanoTime() > deadline) {
                LOG.log(System.Logger.Level.ERROR, "could not join through " + target + ": " + answer + (retry
                        ? " (gave up after " + GIVE_UP_AFTER_MILLIS / 1000 + " s)" : "") + ". This node runs outside"
                        + " the replica set; add it on the leader with TANDEM.MEMBERS ADD " + self + " " + peerAddress
                        + (voting ? "" : " NONVOTING"));
                return;
            }
            LOG.log(System.Logger.Level.INFO, "join not done yet (" + target + ": " + answer + "); asking again in "
                    + RETRY_MILLIS + " ms");
            try {
                Thread.sleep(RETRY_MILLIS); // a pause between attempts on a thread of its own, not a race
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One attempt: the first line of the answer to ADD (after AUTH when a password is set). */
    private String ask(String target) throws IOException {
        int colon = target.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.substring(0, colon),
                    Integer.parseInt(target.substring(colon + 1))), SOCKET_TIMEOUT_MILLIS);
            socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            if (!password.isEmpty()) {
                out.write(command("AUTH", password));
                String auth = line(in);
                if (!auth.equals("+OK")) {
                    return auth;
                }
            }
            out.write(voting ? command("TANDEM.MEMBERS", "ADD", self.name(), peerAddress)
                    : command("TANDEM.MEMBERS", "ADD", self.name(), peerAddress, "NONVOTING"));
            out.flush();
            return line(in);
        }
    }

    private static byte[] command(String... args) {
        StringBuilder resp = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            resp.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
        }
        return resp.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed before the answer");
            }
            if (c != '\r' && line.length() < MAX_LINE_BYTES) {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
