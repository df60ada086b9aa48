package io.tandem.server.session;

import io.tandem.core.keyspace.GlobMatcher;
import io.tandem.core.model.Reply;
import io.tandem.core.util.Ascii;
import io.tandem.server.config.RuntimeSettings;
import io.tandem.server.net.ClientConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Commands that act on the connection or the server rather than the keyspace: HELLO, AUTH, CLIENT,
 * SELECT, QUIT, RESET, COMMAND, CONFIG, INFO, with Redis 7's replies and error texts.
 * (MULTI, EXEC and DISCARD are the dispatcher's, since they decide where other commands go.)
 */
public final class SessionCommands {
    /** The Redis version whose commands and replies Tandem follows; clients read it from HELLO and INFO. */
    public static final String REDIS_VERSION = "7.0.15";
    public static final String TANDEM_VERSION = "0.1.0";

    private final SessionHost host;

    public SessionCommands(SessionHost host) {
        this.host = host;
    }

    /** Executes a session command; returns its reply. QUIT also asks the connection to close. */
    public Reply execute(ClientConnection conn, String name, byte[][] args) {
        return switch (name) {
            case "hello" -> hello(conn, args);
            case "auth" -> auth(conn, args);
            case "client" -> client(conn, args);
            case "select" -> select(args);
            case "quit" -> Reply.OK;
            case "reset" -> reset(conn);
            case "command" -> CommandDocs.command(args);
            case "config" -> config(args);
            case "info" -> info(args);
            case "shutdown" -> shutdown(conn, args);
            case "role" -> host.role();
            case "replicaof", "slaveof" -> replicaOf(args);
            case "failover" -> failover(args);
            case "bgsave" -> {
                String refused = host.bgsave();
                yield refused == null ? new Reply.Simple("Background saving started") : Reply.error(refused);
            }
            default -> {
                Reply own = WaitCommands.immediate(conn, name, args);
                if (own == null) {
                    throw new IllegalArgumentException("not a session command: " + name);
                }
                yield own;
            }
        };
    }

    /**
     * SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE]: the options are accepted for compatibility and change
     * nothing, since every acknowledged write is already durable in the log. As in Redis, a successful
     * SHUTDOWN sends no reply: the connection just closes.
     */
    private Reply shutdown(ClientConnection conn, byte[][] args) {
        for (int i = 1; i < args.length; i++) {
            String opt = text(args[i]).toUpperCase(Locale.ROOT);
            if (!opt.equals("NOSAVE") && !opt.equals("SAVE") && !opt.equals("NOW") && !opt.equals("FORCE")) {
                return Reply.error("ERR syntax error");
            }
        }
        host.shutdown();
        return null;
    }

    /** REPLICAOF host port | REPLICAOF NO ONE, with Redis's argument errors. */
    private Reply replicaOf(byte[][] args) {
        if (Ascii.equalsIgnoreCase(args[1], "NO") && Ascii.equalsIgnoreCase(args[2], "ONE")) {
            return host.replicaOf(null, 0);
        }
        long[] port = new long[1];
        if (!Ascii.parseLong(args[2], port)) {
            return Reply.error("ERR value is not an integer or out of range");
        }
        if (port[0] < 0 || port[0] > 65535) {
            return Reply.error("ERR Invalid master port");
        }
        return host.replicaOf(text(args[1]), (int) port[0]);
    }

    /**
     * FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds], parsed as Redis does: options in any
     * order, each at most once; ABORT alone; FORCE only with TO and TIMEOUT (checked by the core).
     */
    private Reply failover(byte[][] args) {
        String host = null;
        long port = 0;
        long timeoutMillis = 0;
        boolean force = false;
        boolean abort = false;
        boolean to = false;
        boolean timeout = false;
        for (int i = 1; i < args.length; i++) {
            if (Ascii.equalsIgnoreCase(args[i], "TO") && !to && i + 2 < args.length) {
                to = true;
                host = text(args[i + 1]);
                long[] parsed = new long[1];
                if (!Ascii.parseLong(args[i + 2], parsed)) {
                    return Reply.error("ERR value is not an integer or out of range");
                }
                if (parsed[0] <= 0 || parsed[0] > 65535) {
                    return Reply.error("ERR FAILOVER target port " + parsed[0] + " is not valid");
                }
                port = parsed[0];
                i += 2;
            } else if (Ascii.equalsIgnoreCase(args[i], "TIMEOUT") && !timeout && i + 1 < args.length) {
                timeout = true;
                long[] parsed = new long[1];
                if (!Ascii.parseLong(args[i + 1], parsed)) {
                    return Reply.error("ERR value is not an integer or out of range");
                }
                if (parsed[0] <= 0) {
                    return Reply.error("ERR FAILOVER timeout must be greater than 0");
                }
                timeoutMillis = parsed[0];
                i++;
            } else if (Ascii.equalsIgnoreCase(args[i], "FORCE") && !force) {
                force = true;
            } else if (Ascii.equalsIgnoreCase(args[i], "ABORT") && !abort) {
                abort = true;
            } else {
                return Reply.error("ERR syntax error");
            }
        }
        if (abort && (to || timeout || force)) {
            return Reply.error("ERR FAILOVER ABORT cannot be combined with other options");
        }
        if (force && (!to || !timeout)) {
            return Reply.error("ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
        }
        return this.host.failover(host, (int) port, timeoutMillis, force, abort);
    }

    /** HELLO [protover [AUTH username password] [SETNAME clientname]] */
    private Reply hello(ClientConnection conn, byte[][] args) {
        int version = 0;
        int next = 1;
        if (args.length >= 2) {
            long[] parsed = new long[1];
            if (!Ascii.parseLong(args[1], parsed)) {
                return Reply.error("ERR Protocol version is not an integer or out of range");
            }
            if (parsed[0] < 2 || parsed[0] > 3) {
                return Reply.error("NOPROTO unsupported protocol version");
            }
            version = (int) parsed[0];
            next = 2;
        }
        byte[] user = null;
        byte[] password = null;
        byte[] clientName = null;
        for (int j = next; j < args.length; j++) {
            int more = args.length - 1 - j;
            if (Ascii.equalsIgnoreCase(args[j], "AUTH") && more >= 2) {
                user = args[j + 1];
                password = args[j + 2];
                j += 2;
            } else if (Ascii.equalsIgnoreCase(args[j], "SETNAME") && more >= 1) {
                clientName = args[j + 1];
                j++;
            } else {
                return Reply.error("ERR Syntax error in HELLO option '" + text(args[j]) + "'");
            }
        }
        if (user != null) {
            if (!authenticate(user, password)) {
                return wrongPass();
            }
            authenticated(conn);
        }
        if (!conn.authenticated) {
            return Reply.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the"
                    + " HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP"
                    + " protocol version at the same time");
        }
        if (clientName != null) {
            Reply invalid = setName(conn, clientName);
            if (invalid != null) {
                return invalid;
            }
        }
        if (version != 0) {
            conn.protocolVersion = version;
        }
        return new Reply.MapReply(List.of(
                Reply.bulk("server"), Reply.bulk("tandem"),
                Reply.bulk("version"), Reply.bulk(REDIS_VERSION),
                Reply.bulk("proto"), Reply.integer(conn.protocolVersion),
                Reply.bulk("id"), Reply.integer(conn.id),
                Reply.bulk("mode"), Reply.bulk("standalone"),
                Reply.bulk("role"), Reply.bulk("master"),
                Reply.bulk("modules"), Reply.EMPTY_ARRAY));
    }

    /** AUTH [username] password: only the "default" user exists. */
    private Reply auth(ClientConnection conn, byte[][] args) {
        if (args.length > 3) {
            return Reply.error("ERR syntax error");
        }
        byte[] user;
        byte[] password;
        if (args.length == 2) {
            if (!host.settings().passwordRequired()) {
                return Reply.error("ERR AUTH <password> called without any password configured for the default"
                        + " user. Are you sure your configuration is correct?");
            }
            user = Ascii.bytes("default");
            password = args[1];
        } else {
            user = args[1];
            password = args[2];
        }
        if (!authenticate(user, password)) {
            return wrongPass();
        }
        authenticated(conn);
        return Reply.OK;
    }

    private boolean authenticate(byte[] user, byte[] password) {
        if (!Ascii.string(user).equals("default")) {
            return false;
        }
        RuntimeSettings settings = host.settings();
        if (!settings.passwordRequired()) {
            return true; // the default user has "nopass": any password is accepted, as in Redis
        }
        // Constant-time comparison, so the time taken does not tell how much of a guess was right.
        return MessageDigest.isEqual(password, settings.requirepass().getBytes(StandardCharsets.UTF_8));
    }

    private static void authenticated(ClientConnection conn) {
        conn.authenticated = true;
        conn.decoder.setAuthenticated(true);
    }

    private static Reply wrongPass() {
        return Reply.error("WRONGPASS invalid username-password pair or user is disabled.");
    }

    private Reply client(ClientConnection conn, byte[][] args) {
        String sub = text(args[1]).toLowerCase(Locale.ROOT);
        switch (sub) {
            case "id" -> {
                return args.length == 2 ? Reply.integer(conn.id) : subcommandArity("client", sub);
            }
            case "getname" -> {
                return args.length == 2 ? Reply.bulk(conn.name == null ? null : Ascii.bytes(conn.name))
                        : subcommandArity("client", sub);
            }
            case "setname" -> {
                if (args.length != 3) {
                    return subcommandArity("client", sub);
                }
                Reply invalid = setName(conn, args[2]);
                return invalid != null ? invalid : Reply.OK;
            }
            case "setinfo" -> {
                if (args.length != 4) {
                    return subcommandArity("client", sub);
                }
                String attr = text(args[2]).toLowerCase(Locale.ROOT);
                if (!attr.equals("lib-name") && !attr.equals("lib-ver")) {
                    return Reply.error("ERR Unrecognized option '" + text(args[2]) + "'");
                }
                if (!printable(args[3])) {
                    return Reply.error("ERR " + attr + " cannot contain spaces, newlines or special characters.");
                }
                if (attr.equals("lib-name")) {
                    conn.libName = text(args[3]);
                } else {
                    conn.libVersion = text(args[3]);
                }
                return Reply.OK;
            }
            case "list" -> {
                StringBuilder sb = new StringBuilder();
                for (ClientConnection c : host.clients()) {
                    sb.append(describe(c)).append('\n');
                }
                return new Reply.Verbatim("txt", Ascii.bytes(sb.toString()));
            }
            case "info" -> {
                return new Reply.Verbatim("txt", Ascii.bytes(describe(conn) + "\n"));
            }
            default -> {
                return unknownSubcommand(args[1], "CLIENT");
            }
        }
    }

    private static String describe(ClientConnection c) {
        return "id=" + c.id + " addr=" + hostPort(c.channel.remoteAddress()) + " laddr="
                + hostPort(c.channel.localAddress()) + " name=" + (c.name == null ? "" : c.name)
                + " db=0 multi=" + (c.inMulti() ? c.multiQueue.size() : -1) + " resp=" + c.protocolVersion
                + " cmd=" + c.lastCommand + " lib-name=" + (c.libName == null ? "" : c.libName)
                + " lib-ver=" + (c.libVersion == null ? "" : c.libVersion);
    }

    private static String hostPort(java.net.SocketAddress address) {
        if (address instanceof java.net.InetSocketAddress inet) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /** Redis: a name may be empty (removes it) but not contain spaces or control characters. */
    private static Reply setName(ClientConnection conn, byte[] name) {
        if (!printable(name)) {
            return Reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
        }
        conn.name = name.length == 0 ? null : text(name);
        return null;
    }

    private static boolean printable(byte[] b) {
        for (byte x : b) {
            if (x < '!' || x > '~') {
                return false;
            }
        }
        return true;
    }

    private static Reply select(byte[][] args) {
        long[] index = new long[1];
        if (!Ascii.parseLong(args[1], index) || index[0] < Integer.MIN_VALUE || index[0] > Integer.MAX_VALUE) {
            return Reply.error("ERR value is not an integer or out of range");
        }
        return index[0] == 0 ? Reply.OK : Reply.error("ERR DB index is out of range");
    }

    /** RESET: leave MULTI, forget the name, back to RESP2 and, with a password set, unauthenticated. */
    private Reply reset(ClientConnection conn) {
        conn.multiQueue = null;
        conn.multiDirty = false;
        conn.name = null;
        conn.protocolVersion = 2;
        if (host.settings().passwordRequired()) {
            conn.authenticated = false;
            conn.decoder.setAuthenticated(false);
        }
        return new Reply.Simple("RESET");
    }

    private Reply config(byte[][] args) {
        String sub = text(args[1]).toLowerCase(Locale.ROOT);
        switch (sub) {
            case "get" -> {
                if (args.length < 3) {
                    return subcommandArity("config", sub);
                }
                Map<String, String> all = host.settings().all(host.boundPort());
                Map<String, String> matched = new LinkedHashMap<>();
                for (int i = 2; i < args.length; i++) {
                    byte[] pattern = Ascii.bytes(text(args[i]).toLowerCase(Locale.ROOT));
                    for (Map.Entry<String, String> e : all.entrySet()) {
                        if (GlobMatcher.matches(pattern, Ascii.bytes(e.getKey()))) {
                            matched.put(e.getKey(), e.getValue());
                        }
                    }
                }
                List<Reply> items = new ArrayList<>();
                matched.forEach((k, v) -> {
                    items.add(Reply.bulk(k));
                    items.add(Reply.bulk(v));
                });
                return new Reply.MapReply(items);
            }
            case "set" -> {
                if (args.length < 4 || args.length % 2 == 1) {
                    return subcommandArity("config", sub);
                }
                return configSet(args);
            }
            case "resetstat" -> {
                host.resetStats();
                return Reply.OK;
            }
            case "rewrite" -> {
                return Reply.error("ERR CONFIG REWRITE is not supported: edit the config file given with --config");
            }
            default -> {
                return unknownSubcommand(args[1], "CONFIG");
            }
        }
    }

    /** CONFIG SET name value [name value ...]: all or nothing, as in Redis 7. */
    private Reply configSet(byte[][] args) {
        RuntimeSettings settings = host.settings();
        Map<String, String> before = settings.all(host.boundPort());
        for (int i = 2; i < args.length; i += 2) {
            String name = text(args[i]).toLowerCase(Locale.ROOT);
            String value = text(args[i + 1]);
            String refused = settings.set(name, value);
            if (refused != null) {
                // Put back what earlier pairs of this command changed.
                for (int j = 2; j < i; j += 2) {
                    String earlier = text(args[j]).toLowerCase(Locale.ROOT);
                    settings.restore(earlier, before.get(earlier));
                }
                if (refused.equals("unknown")) {
                    return Reply.error("ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'");
                }
                if (refused.equals("immutable")) {
                    return Reply.error("ERR CONFIG SET failed (possibly related to argument '" + name
                            + "') - can't set immutable config");
                }
                return Reply.error("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + refused);
            }
        }
        host.settingsChanged();
        return Reply.OK;
    }

    private Reply info(byte[][] args) {
        List<String> sections = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            sections.add(text(args[i]).toLowerCase(Locale.ROOT));
        }
        return new Reply.Verbatim("txt", Ascii.bytes(host.info(sections)));
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static Reply subcommandArity(String command, String sub) {
        return Reply.error("ERR wrong number of arguments for '" + command + "|" + sub + "' command");
    }

    static Reply unknownSubcommand(byte[] sub, String command) {
        return Reply.error("ERR unknown subcommand '" + text(sub) + "'. Try " + command + " HELP.");
    }
}
