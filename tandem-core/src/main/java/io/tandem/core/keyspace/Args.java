package io.tandem.core.keyspace;

import io.tandem.core.util.Ascii;

/** Parsing of command arguments with Redis's error replies. */
final class Args {
    private Args() {}

    /** A Redis integer argument, or "ERR value is not an integer or out of range". */
    static long integer(byte[] arg) {
        long[] out = new long[1];
        if (!Ascii.parseLong(arg, out)) {
            throw CommandError.NOT_INTEGER;
        }
        return out[0];
    }

    /**
     * A count that must be a non-negative integer (LPOP/RPOP/SPOP count), as Redis 7.0's
     * getPositiveLongFromObjectOrReply: any failure, a non-integer too, is "value is out of range, must
     * be positive".
     */
    static long positiveCount(byte[] arg) {
        long[] out = new long[1];
        if (!Ascii.parseLong(arg, out) || out[0] < 0) {
            throw CommandError.NOT_POSITIVE;
        }
        return out[0];
    }

    /** value + increment, or "ERR increment or decrement would overflow" (INCRBY, HINCRBY). */
    static long add(long value, long increment) {
        try {
            return Math.addExact(value, increment);
        } catch (ArithmeticException e) {
            throw CommandError.OVERFLOW;
        }
    }

    static boolean is(byte[] arg, String upperKeyword) {
        return Ascii.equalsIgnoreCase(arg, upperKeyword);
    }

    static CommandError wrongArity(String name) {
        return new CommandError("ERR wrong number of arguments for '" + name + "' command");
    }
}
