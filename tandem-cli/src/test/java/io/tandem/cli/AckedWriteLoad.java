package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.wire.resp.RespValue;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A write load from several client threads that records exactly what was acknowledged. Each thread runs
 * operations 0, 1, 2, ... one at a time on its own connection: operation i is a transaction
 * (MULTI / SET a:P:i / SET b:P:i / EXEC) when i % 4 == 3, else SET k:P:i. Every key is written once, with
 * a value derived from its name, so a recovered value is either exactly right or wrong.
 *
 * <p>Per thread, operations below {@code acked} got their reply; operation {@code acked} may have been
 * sent (its reply lost to the crash) when {@code sent > acked}; operations from {@code sent} on were never
 * written to the socket, so their keys must not exist.
 */
final class AckedWriteLoad {
    /** Keys checked past each thread's last sent operation: they were never written. */
    private static final int NEVER_WRITTEN_PROBE = 20;

    final int cycle;
    private final List<Writer> writers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final long startedNanos = System.nanoTime();

    AckedWriteLoad(int cycle, int threadCount, int port) {
        this.cycle = cycle;
        for (int t = 0; t < threadCount; t++) {
            Writer writer = new Writer("c" + cycle + "t" + t, port);
            writers.add(writer);
            Thread thread = new Thread(writer, "load-" + writer.prefix);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    static boolean isTransaction(int op) {
        return op % 4 == 3;
    }

    static String setKey(String prefix, int op) {
        return "k:" + prefix + ":" + op;
    }

    static String setValue(String prefix, int op) {
        return "v" + op + "-" + prefix;
    }

    static String txKeyA(String prefix, int op) {
        return "a:" + prefix + ":" + op;
    }

    static String txKeyB(String prefix, int op) {
        return "b:" + prefix + ":" + op;
    }

    static String txValue(String key) {
        return "x-" + key;
    }

    /** Polls until the load ran for at least {@code minRun} and every thread has {@code minAcked} acks. */
    void awaitProgress(Duration minRun, int minAcked, Duration deadline) {
        long until = startedNanos + deadline.toNanos();
        while (true) {
            long now = System.nanoTime();
            boolean ranLongEnough = now - startedNanos >= minRun.toNanos();
            boolean allProgressed = writers.stream().allMatch(w -> w.acked >= minAcked);
            if (ranLongEnough && allProgressed) {
                return;
            }
            failIfAnyWriterFailed();
            if (now > until) {
                throw new AssertionError("load made too little progress in " + deadline + ": " + summary());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /**
     * Waits until every thread has {@code more} acknowledgements beyond what it had when called, failing after
     * {@code timeout}: the node keeps acknowledging writes (used while a follower is down).
     */
    void awaitMoreAcks(int more, Duration timeout) {
        int[] target = new int[writers.size()];
        for (int i = 0; i < target.length; i++) {
            target[i] = writers.get(i).acked + more;
        }
        long until = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean all = true;
            for (int i = 0; i < target.length; i++) {
                all &= writers.get(i).acked >= target[i];
            }
            if (all) {
                return;
            }
            failIfAnyWriterFailed();
            failIfAnyWriterEnded();
            if (System.nanoTime() > until) {
                throw new AssertionError("fewer than " + more + " more acknowledgements per thread in " + timeout
                        + ": " + summary());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /**
     * Asks every thread to stop after its current operation and waits for them: afterwards nothing is in flight
     * ({@code sent == acked}), as long as the node stayed up.
     */
    void stop() throws InterruptedException {
        writers.forEach(w -> w.stopRequested = true);
        awaitEnd();
    }

    /** For a node that must stay up: a connection that failed is a bug. */
    void failIfAnyWriterEnded() {
        for (Writer w : writers) {
            if (w.ended != null) {
                throw new AssertionError("thread " + w.prefix + " lost its connection: " + w.ended, w.ended);
            }
        }
    }

    /**
     * Waits for every thread to end (after the node died, each ends on its connection's failure; after
     * {@link #stop}, once its current operation is answered).
     */
    void awaitEnd() throws InterruptedException {
        for (Thread t : threads) {
            t.join(30_000);
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " still running 30 s after the node was killed or the"
                        + " load was stopped");
            }
        }
    }

    /** A wrong reply (not a dropped connection) is a bug: fail with it. */
    void failIfAnyWriterFailed() {
        for (Writer w : writers) {
            if (w.wrongReply != null) {
                throw new AssertionError("thread " + w.prefix + ": " + w.wrongReply);
            }
        }
    }

    List<Writer> writers() {
        return writers;
    }

    long ackedSets() {
        long n = 0;
        for (Writer w : writers) {
            n += w.acked - w.acked / 4; // ops 3, 7, 11, ... are transactions
        }
        return n;
    }

    long ackedTransactions() {
        long n = 0;
        for (Writer w : writers) {
            n += w.acked / 4;
        }
        return n;
    }

    long inFlight() {
        long n = 0;
        for (Writer w : writers) {
            n += w.sent - w.acked;
        }
        return n;
    }

    String summary() {
        return "cycle " + cycle + ": " + ackedSets() + " acknowledged SETs, " + ackedTransactions()
                + " acknowledged transactions, " + inFlight() + " operations in flight";
    }

    /**
     * Checks every load against the node on {@code port}: each acknowledged operation is there with its exact
     * value, a transaction is all or nothing, no key of an operation that was never sent exists, and the node
     * holds no other key. Returns the number of keys it holds.
     */
    static long verify(int port, List<AckedWriteLoad> loads) throws IOException {
        long present = 0;
        try (RespConnection conn = new RespConnection(port)) {
            for (AckedWriteLoad load : loads) {
                for (Writer writer : load.writers()) {
                    present += verifyWriter(conn, writer);
                }
            }
            // Every key the loads could have written was counted above; any other key is an invention.
            assertEquals(present, conn.dbsize(), "DBSIZE against the keys the loads wrote");
        }
        return present;
    }

    private static long verifyWriter(RespConnection conn, Writer writer) throws IOException {
        String p = writer.prefix;
        int acked = writer.acked;
        int sent = writer.sent;
        int probeEnd = sent + NEVER_WRITTEN_PROBE;
        List<String> keys = new ArrayList<>();
        for (int op = 0; op < probeEnd; op++) {
            if (isTransaction(op)) {
                keys.add(txKeyA(p, op));
                keys.add(txKeyB(p, op));
            } else {
                keys.add(setKey(p, op));
            }
        }
        List<String> values = conn.mget(keys);
        long present = 0;
        int k = 0;
        for (int op = 0; op < probeEnd; op++) {
            String state = op < acked ? "acknowledged" : op < sent ? "in flight" : "never sent";
            if (isTransaction(op)) {
                String a = values.get(k++);
                String b = values.get(k++);
                String where = "transaction " + p + "#" + op + " (" + state + "): a=" + a + " b=" + b;
                if ((a == null) != (b == null)) {
                    throw new AssertionError("half a transaction survived: " + where);
                }
                if (a != null) {
                    assertEquals(txValue(txKeyA(p, op)), a, where);
                    assertEquals(txValue(txKeyB(p, op)), b, where);
                    present += 2;
                }
                check(op, acked, sent, a != null, where);
            } else {
                String v = values.get(k++);
                String where = "SET " + setKey(p, op) + " (" + state + "): " + v;
                if (v != null) {
                    assertEquals(setValue(p, op), v, where);
                    present++;
                }
                check(op, acked, sent, v != null, where);
            }
        }
        return present;
    }

    private static void check(int op, int acked, int sent, boolean exists, String where) {
        if (op < acked && !exists) {
            throw new AssertionError("acknowledged write lost: " + where);
        }
        if (op >= sent && exists) {
            throw new AssertionError("a write that was never sent exists: " + where);
        }
    }

    /** One client thread. */
    static final class Writer implements Runnable {
        final String prefix;
        private final int port;
        /** Operations whose reply arrived. */
        volatile int acked;
        /** Operations whose bytes were handed to the socket (acked or acked + 1). */
        volatile int sent;
        volatile String wrongReply;
        volatile Throwable ended;
        volatile boolean stopRequested;

        Writer(String prefix, int port) {
            this.prefix = prefix;
            this.port = port;
        }

        @Override
        public void run() {
            try (RespConnection conn = new RespConnection(port)) {
                for (int op = 0; !stopRequested; op++) {
                    List<String[]> commands = isTransaction(op)
                            ? List.of(new String[] {"MULTI"},
                                    new String[] {"SET", txKeyA(prefix, op), txValue(txKeyA(prefix, op))},
                                    new String[] {"SET", txKeyB(prefix, op), txValue(txKeyB(prefix, op))},
                                    new String[] {"EXEC"})
                            : List.<String[]>of(new String[] {"SET", setKey(prefix, op), setValue(prefix, op)});
                    sent = op + 1; // from here on the bytes may reach the node
                    List<RespValue> replies = conn.pipeline(commands);
                    String problem = checkReplies(op, replies);
                    if (problem != null) {
                        wrongReply = "operation " + op + ": " + problem;
                        return;
                    }
                    acked = op + 1;
                }
            } catch (IOException e) {
                ended = e; // the node was killed: expected
            }
        }

        private static String checkReplies(int op, List<RespValue> replies) {
            if (!isTransaction(op)) {
                return RespConnection.isOk(replies.get(0)) ? null : "SET replied " + replies.get(0);
            }
            boolean ok = RespConnection.isOk(replies.get(0))
                    && replies.get(1) instanceof RespValue.Simple q1 && q1.text().equals("QUEUED")
                    && replies.get(2) instanceof RespValue.Simple q2 && q2.text().equals("QUEUED")
                    && replies.get(3) instanceof RespValue.Array exec && exec.items().size() == 2
                    && RespConnection.isOk(exec.items().get(0)) && RespConnection.isOk(exec.items().get(1));
            return ok ? null : "transaction replied " + replies;
        }
    }
}
