package io.tandem.server.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded random commands over a few keys, so that types collide and errors happen often. Only commands
 * whose replies are deterministic are generated (no SPOP, RANDOMKEY, SCAN); unordered replies are
 * compared sorted and TTLs only by sign, as the directives of {@link ScriptParser} say.
 */
final class RandomCommandGenerator {
    private static final String[] KEYS = {"k0", "k1", "k2", "k3", "k4", "k5"};
    private static final String[] FIELDS = {"f0", "f1", "f2"};
    private static final String[] MEMBERS = {"a", "b", "c", "1", "2", "10"};
    private static final String[] VALUES = {"0", "1", "-1", "42", "abc", "", "3.5", "007", "9223372036854775807",
            "-9223372036854775808", "9223372036854775806"};
    private static final String[] INCREMENTS = {"1", "-1", "5", "0", "100", "abc", "9223372036854775807",
            "-9223372036854775808", "1.5"};
    private static final String[] COUNTS = {"0", "1", "2", "5", "-1"};
    private static final String[] INDEXES = {"0", "1", "2", "-1", "-2", "-5", "3", "10", "x"};

    private final SplittableRandom random;
    private final List<ScriptLine> out = new ArrayList<>();
    private int n;

    RandomCommandGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    List<ScriptLine> generate(int count) {
        while (out.size() < count) {
            if (random.nextInt(40) == 0) {
                transaction();
            } else {
                add(command(false));
            }
        }
        return out;
    }

    private void transaction() {
        add(plain("MULTI"));
        int queued = random.nextInt(5);
        for (int i = 0; i < queued; i++) {
            add(command(true));
        }
        add(plain(random.nextInt(8) == 0 ? "DISCARD" : "EXEC"));
    }

    /** inMulti: only commands whose reply inside EXEC is compared exactly (no sorting, no TTL values). */
    private Cmd command(boolean inMulti) {
        int choice = random.nextInt(inMulti ? 46 : 52);
        // Most commands go to the keys of their own type (so they do work), the rest anywhere (so types collide).
        String k = random.nextInt(4) == 0 ? pick(KEYS) : switch (choice) {
            case 14, 15, 16, 17, 18, 19, 20, 21, 22, 23 -> "k2";
            case 24, 25, 26, 27, 28, 46, 47 -> "k3";
            case 29, 30, 31, 32, 33, 34 -> "k4";
            case 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45 -> pick(KEYS);
            default -> random.nextBoolean() ? "k0" : "k1";
        };
        return switch (choice) {
            case 0, 1 -> plain("GET", k);
            case 2, 3 -> plain(set(k));
            case 4 -> plain("SETNX", k, value());
            case 5 -> plain("GETSET", k, value());
            case 6 -> plain("MGET", k, pick(KEYS), pick(KEYS));
            case 7 -> random.nextInt(6) == 0 ? plain("MSET", k, value(), pick(KEYS))
                    : plain("MSET", k, value(), pick(KEYS), value());
            case 8 -> plain("INCR", k);
            case 9 -> plain("DECR", k);
            case 10 -> plain("INCRBY", k, pick(INCREMENTS));
            case 11 -> plain("DECRBY", k, pick(INCREMENTS));
            case 12 -> plain("APPEND", k, value());
            case 13 -> plain("STRLEN", k);
            case 14, 15 -> random.nextBoolean() ? plain("HSET", k, pick(FIELDS), value())
                    : plain("HSET", k, pick(FIELDS), value(), pick(FIELDS), value());
            case 16 -> plain("HGET", k, pick(FIELDS));
            case 17 -> plain("HDEL", k, pick(FIELDS), pick(FIELDS));
            case 18 -> plain("HGETALL", k);
            case 19 -> plain("HLEN", k);
            case 20 -> plain("HEXISTS", k, pick(FIELDS));
            case 21 -> plain("HINCRBY", k, pick(FIELDS), pick(INCREMENTS));
            case 22 -> plain("HKEYS", k);
            case 23 -> plain("HVALS", k);
            case 24, 25 -> plain("SADD", k, pick(MEMBERS), pick(MEMBERS));
            case 26 -> plain("SREM", k, pick(MEMBERS), pick(MEMBERS));
            case 27 -> plain("SISMEMBER", k, pick(MEMBERS));
            case 28 -> plain("SCARD", k);
            case 29, 30 -> plain(random.nextBoolean() ? "LPUSH" : "RPUSH", k, pick(MEMBERS), pick(MEMBERS));
            case 31 -> random.nextBoolean() ? plain(random.nextBoolean() ? "LPOP" : "RPOP", k)
                    : plain(random.nextBoolean() ? "LPOP" : "RPOP", k, pick(COUNTS));
            case 32 -> plain("LRANGE", k, pick(INDEXES), pick(INDEXES));
            case 33 -> plain("LLEN", k);
            case 34 -> plain("LINDEX", k, pick(INDEXES));
            case 35 -> plain("TYPE", k);
            case 36 -> plain("EXISTS", k, pick(KEYS), k);
            case 37 -> plain(random.nextBoolean() ? "DEL" : "UNLINK", k, pick(KEYS));
            case 38 -> plain("DBSIZE");
            case 39 -> plain(expire(k));
            case 40 -> plain("PERSIST", k);
            case 41 -> plain(pick(new String[] {"GET", "SET", "HSET", "SADD", "LPUSH", "EXPIRE", "INCRBY"}));
            case 42 -> plain("NOSUCH", k);
            case 43 -> plain("PING");
            case 44, 45 -> plain("DEL", k);
            // Below: not inside MULTI, as EXEC's reply would carry them unsorted or with TTL values.
            case 46, 47 -> new Cmd("sort", "SMEMBERS", k);
            case 48 -> new Cmd("sort", "KEYS", pick(new String[] {"*", "k[0-2]", "k?", "x*"}));
            case 49, 50 -> new Cmd("sign", random.nextBoolean() ? "TTL" : "PTTL", k);
            default -> new Cmd("sort", "SMEMBERS", k);
        };
    }

    private String[] set(String k) {
        List<String> a = new ArrayList<>(List.of("SET", k, value()));
        switch (random.nextInt(4)) {
            case 0 -> a.add("NX");
            case 1 -> a.add("XX");
            default -> { }
        }
        if (random.nextInt(3) == 0) {
            a.add("GET");
        }
        switch (random.nextInt(6)) {
            case 0 -> a.addAll(List.of("EX", pick(new String[] {"1000", "100000", "0", "-1", "x"})));
            case 1 -> a.addAll(List.of("PX", pick(new String[] {"1000000", "0"})));
            case 2 -> a.add("KEEPTTL");
            default -> { }
        }
        return a.toArray(String[]::new);
    }

    /**
     * NX and XX with relative times; GT and LT only with absolute times (in the 2090s), so that no comparison
     * depends on how many milliseconds passed between two commands (EXPIRE k 2000, then EXPIRE k 2000 GT,
     * is 0 within the same millisecond and 1 after it).
     */
    private String[] expire(String k) {
        List<String> a = new ArrayList<>();
        switch (random.nextInt(5)) {
            case 0 -> a.addAll(List.of("EXPIRE", k, pick(new String[] {"1000", "5000", "100000", "0", "-1", "x"})));
            case 1 -> a.addAll(List.of("PEXPIRE", k, pick(new String[] {"1000000", "5000000", "0"})));
            case 2 -> a.addAll(List.of("EXPIREAT", k, pick(new String[] {"1", "0"})));
            case 3 -> a.addAll(List.of("EXPIREAT", k, pick(new String[] {"3900000000", "4000000000", "4100000000"})));
            default -> a.addAll(List.of("PEXPIREAT", k, pick(new String[] {"3900000000000", "4000000000000"})));
        }
        boolean absolute = a.get(0).endsWith("AT");
        if (random.nextInt(3) == 0) {
            String[] options = absolute ? new String[] {"NX", "XX", "GT", "LT"} : new String[] {"NX", "XX"};
            a.add(pick(options));
            if (random.nextInt(5) == 0) {
                a.add(pick(options));
            }
        }
        return a.toArray(String[]::new);
    }

    private String value() {
        return pick(VALUES);
    }

    private String pick(String[] from) {
        return from[random.nextInt(from.length)];
    }

    private static Cmd plain(String... args) {
        return new Cmd(null, args);
    }

    private void add(Cmd cmd) {
        out.add(ScriptLine.command("random#" + (++n), cmd.directive(), List.of(), cmd.args()));
    }

    /** A command and the directive its reply is compared with (null: exactly). */
    private record Cmd(String directive, String... args) {}
}
