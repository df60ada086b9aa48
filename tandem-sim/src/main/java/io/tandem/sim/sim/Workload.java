package io.tandem.sim.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What simulated clients ask: writes, reads and MULTI/EXEC transactions over a small key space (few keys
 * so that writes collide), one key family per type so that most commands succeed. Every value written is
 * the operation's token, unique in the run ("c2-17"; in a transaction "c2-17.0", "c2-17.1", ...), so the
 * entry holding an acknowledged write can be found.
 */
public final class Workload {
    /** One request: a single command, or a transaction of several. */
    public record Request(Operation.Kind kind, List<byte[][]> commands, String token, String text) {
        public boolean write() {
            return kind != Operation.Kind.READ;
        }
    }

    /** A scripted single command: a write (with its value as token) or a read. */
    public static Request command(boolean write, String... words) {
        return new Request(write ? Operation.Kind.WRITE : Operation.Kind.READ, List.<byte[][]>of(args(words)),
                write ? words[words.length - 1] : null, String.join(" ", words));
    }

    private static final int STRING_KEYS = 4;
    private static final int OTHER_KEYS = 2;

    private final double writeShare;
    private final double transactionShare;

    /** @param writeShare of all requests, the writes (transactions included); the rest are reads */
    public Workload(double writeShare, double transactionShare) {
        this.writeShare = writeShare;
        this.transactionShare = transactionShare;
    }

    public Request next(SplittableRandom random, String token) {
        double dice = random.nextDouble();
        if (dice < transactionShare) {
            int count = 2 + random.nextInt(3);
            List<byte[][]> commands = new ArrayList<>(count);
            StringBuilder text = new StringBuilder("MULTI");
            boolean tokened = false;
            for (int i = 0; i < count; i++) {
                byte[][] command = random.nextInt(5) == 0 ? read(random) : write(random, token + "." + i);
                tokened |= carriesValue(command);
                commands.add(command);
                text.append("; ").append(Describe.args(command));
            }
            return new Request(Operation.Kind.TRANSACTION, commands, tokened ? token : null,
                    text.append("; EXEC").toString());
        }
        byte[][] command = dice < writeShare ? write(random, token) : read(random);
        Operation.Kind kind = dice < writeShare ? Operation.Kind.WRITE : Operation.Kind.READ;
        boolean tokened = kind == Operation.Kind.WRITE && carriesValue(command);
        return new Request(kind, List.<byte[][]>of(command), tokened ? token : null, Describe.args(command));
    }

    /** Does the command store its value, so that its entry must hold the token? */
    private static boolean carriesValue(byte[][] command) {
        String name = Describe.ascii(command[0]);
        return name.equals("SET") || name.equals("SADD") || name.equals("HSET") || name.equals("RPUSH");
    }

    private static byte[][] write(SplittableRandom random, String value) {
        int pick = random.nextInt(100);
        if (pick < 30) {
            return args("SET", "k" + random.nextInt(STRING_KEYS), value);
        } else if (pick < 35) {
            // A short time to live: the leader's active expiry logs deletions the followers must apply too.
            return args("SET", "k" + random.nextInt(STRING_KEYS), value, "PX", Integer.toString(20 + random.nextInt(300)));
        } else if (pick < 50) {
            return args("INCR", "n" + random.nextInt(OTHER_KEYS));
        } else if (pick < 65) {
            return args("SADD", "s" + random.nextInt(OTHER_KEYS), value);
        } else if (pick < 75) {
            return args("HSET", "h" + random.nextInt(OTHER_KEYS), "f" + random.nextInt(3), value);
        } else if (pick < 87) {
            return args("RPUSH", "l" + random.nextInt(OTHER_KEYS), value);
        } else if (pick < 93) {
            return args("LPOP", "l" + random.nextInt(OTHER_KEYS));
        } else if (pick < 97) {
            return args("SREM", "s" + random.nextInt(OTHER_KEYS), value);
        } else {
            return args("DEL", "k" + random.nextInt(STRING_KEYS));
        }
    }

    private static byte[][] read(SplittableRandom random) {
        return switch (random.nextInt(6)) {
            case 0 -> args("GET", "k" + random.nextInt(STRING_KEYS));
            case 1 -> args("MGET", "k0", "k1", "k2", "k3");
            case 2 -> args("SMEMBERS", "s" + random.nextInt(OTHER_KEYS));
            case 3 -> args("HGETALL", "h" + random.nextInt(OTHER_KEYS));
            case 4 -> args("LRANGE", "l" + random.nextInt(OTHER_KEYS), "0", "-1");
            default -> args("GET", "n" + random.nextInt(OTHER_KEYS));
        };
    }

    static byte[][] args(String... words) {
        byte[][] args = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            args[i] = words[i].getBytes(StandardCharsets.US_ASCII);
        }
        return args;
    }
}
