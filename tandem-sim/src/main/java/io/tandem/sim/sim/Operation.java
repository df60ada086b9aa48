package io.tandem.sim.sim;

import io.tandem.core.model.Entry;
import io.tandem.core.model.Reply;

/**
 * One client operation in the history: who asked which node what, when, and what came back when. A write
 * carries a token unique in the run (its value), so the entry that holds it can be found; {@code entry} is
 * the entry the leader logged for it, as the simulator saw the step.
 */
public final class Operation {
    public enum Kind { READ, WRITE, TRANSACTION }

    private final long requestId;
    private final String client;
    private final String node;
    private final Kind kind;
    private final String text;
    private final String token;
    private final long invokedMicros;
    private long completedMicros = -1;
    private Reply reply;
    private boolean timedOut;
    private Entry entry;
    private java.util.List<byte[][]> commands = java.util.List.of();
    /** Whether the node that released the reply was leading then (a follower's read is stale by design). */
    private boolean servedByLeader;

    Operation(long requestId, String client, String node, Kind kind, String text, String token, long invokedMicros) {
        this.requestId = requestId;
        this.client = client;
        this.node = node;
        this.kind = kind;
        this.text = text;
        this.token = token;
        this.invokedMicros = invokedMicros;
    }

    public long requestId() {
        return requestId;
    }

    public String client() {
        return client;
    }

    public String node() {
        return node;
    }

    public Kind kind() {
        return kind;
    }

    public String text() {
        return text;
    }

    /** The unique value a write stores, or null (INCR, LPOP, DEL and reads carry none). */
    public String token() {
        return token;
    }

    public long invokedMicros() {
        return invokedMicros;
    }

    public long completedMicros() {
        return completedMicros;
    }

    public Reply reply() {
        return reply;
    }

    public boolean timedOut() {
        return timedOut;
    }

    public Entry entry() {
        return entry;
    }

    /** The client got a reply that is not an error. */
    public boolean succeeded() {
        return reply != null && !(reply instanceof Reply.Error);
    }

    void complete(Reply reply, long micros) {
        this.reply = reply;
        this.completedMicros = micros;
    }

    void timeOut() {
        this.timedOut = true;
    }

    void logged(Entry entry) {
        this.entry = entry;
    }

    void commands(java.util.List<byte[][]> commands) {
        this.commands = java.util.List.copyOf(commands);
    }

    void served(boolean byLeader) {
        this.servedByLeader = byLeader;
    }

    /** The command or the transaction's commands, as sent. */
    public java.util.List<byte[][]> commands() {
        return commands;
    }

    public boolean servedByLeader() {
        return servedByLeader;
    }

    @Override
    public String toString() {
        String done = reply == null ? (timedOut ? "no reply (timed out)" : "pending")
                : String.format("%d.%03d %s", completedMicros / 1000, completedMicros % 1000, Describe.reply(reply));
        return String.format("#%d %s->%s %d.%03d %s => %s%s", requestId, client, node, invokedMicros / 1000,
                invokedMicros % 1000, text, done, entry == null ? "" : " [entry " + entry.term() + "/" + entry.lsn() + "]");
    }
}
