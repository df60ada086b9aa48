package io.tandem.sim.sim;

import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Message;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.Input;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;

/**
 * Short, deterministic text for what the trace shows. Records holding byte arrays print identity hashes
 * in their own toString ("[B@1b6d3586"), which differ from run to run: everything with bytes is formatted
 * here instead, as ASCII.
 */
public final class Describe {
    private Describe() {}

    public static String of(Object detail) {
        return switch (detail) {
            case Message message -> message(message);
            case Reply reply -> reply(reply);
            case Input input -> input(input);
            case Entry entry -> entry(entry);
            case byte[][] args -> args(args);
            default -> String.valueOf(detail);
        };
    }

    static String message(Message message) {
        return switch (message) {
            case Message.Subscribe s -> "Subscribe(t" + s.term() + " " + s.from() + " last=" + s.lastTerm() + "/"
                    + s.lastLsn() + ")";
            case Message.AppendRequest r -> "AppendRequest(t" + r.term() + " " + r.from() + " prev=" + r.prevTerm() + "/"
                    + r.prevLsn() + (r.entries().isEmpty() ? " heartbeat" : " entries=" + r.entries().get(0).lsn() + ".."
                    + r.lastLsn()) + " commit=" + r.commitLsn() + ")";
            case Message.AppendResponse r -> "AppendResponse(t" + r.term() + " " + r.from()
                    + (r.matched() ? " ok last=" : " MISMATCH hint=") + r.lastLsn() + " rcv=" + r.receivedLsn() + " dur="
                    + r.durableLsn() + " app=" + r.appliedLsn() + ")";
            case Message.SnapshotChunk c -> "SnapshotChunk(t" + c.term() + " " + c.from() + " snapshot=" + c.snapshotTerm()
                    + "/" + c.snapshotLsn() + " bytes " + c.offset() + "+" + c.data().length + " of " + c.totalBytes() + ")";
            case Message.SnapshotAck a -> "SnapshotAck(t" + a.term() + " " + a.from() + " snapshot=" + a.snapshotLsn()
                    + (a.failed() ? " FAILED at " : " next=") + a.nextOffset() + ")";
            case Message.VoteRequest v -> (v.preVote() ? "PreVoteRequest(t" : "VoteRequest(t") + v.term() + " " + v.from()
                    + " last=" + v.lastTerm() + "/" + v.lastLsn() + (v.transfer() ? " transfer" : "") + ")";
            case Message.VoteResponse v -> (v.preVote() ? "PreVoteResponse(t" : "VoteResponse(t") + v.term() + " "
                    + v.from() + (v.granted() ? " granted)" : " refused)");
            case Message.TimeoutNow t -> "TimeoutNow(t" + t.term() + " " + t.from() + ": stand now)";
        };
    }

    public static String reply(Reply reply) {
        String text = switch (reply) {
            case Reply.Simple s -> "+" + s.text();
            case Reply.Error e -> "-" + e.text();
            case Reply.Int i -> ":" + i.value();
            case Reply.Bulk b -> '"' + ascii(b.bytes()) + '"';
            case Reply.NullBulk n -> "(nil)";
            case Reply.NullArray n -> "(nil array)";
            case Reply.Array a -> list(a.items());
            case Reply.MapReply m -> list(m.keysAndValues());
            case Reply.SetReply s -> list(s.items());
            case Reply.Push p -> ">" + list(p.items());
            case Reply.Double d -> "," + d.value();
            case Reply.Bool b -> "#" + b.value();
            case Reply.Verbatim v -> "=" + ascii(v.text());
        };
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    static String input(Input input) {
        return switch (input) {
            case Input.Tick t -> "tick";
            case Input.Persisted p -> "Persisted(" + p.durableLsn() + ")";
            case Input.PeerMessage p -> message(p.message());
            case Input.ClientCommand c -> "#" + c.requestId() + " " + args(c.args());
            case Input.ClientTransaction t -> {
                StringJoiner joiner = new StringJoiner("; ", "#" + t.requestId() + " MULTI ", " EXEC");
                for (byte[][] args : t.commands()) {
                    joiner.add(args(args));
                }
                yield joiner.toString();
            }
            case Input.Wait w -> "#" + w.requestId() + " WAIT " + w.numReplicas() + " for LSN " + w.lsn();
            case Input.WaitLsn w -> "#" + w.requestId() + " WAITLSN " + w.term() + ":" + w.lsn();
            case Input.Rewound r -> "Rewound(" + r.term() + "/" + r.lsn() + ", " + r.keyspace().size() + " keys)";
            case Input.SnapshotLoaded s -> "SnapshotLoaded(" + s.snapshotTerm() + "/" + s.snapshotLsn() + ")";
            case Input.ChangeMembers c -> "#" + c.requestId() + " MEMBERS " + c.change();
            case Input.ChangeAcknowledgement c -> "CONFIG SET ack-policy '" + c.policy() + "' ack-level " + c.level()
                    + " ack-timeout-millis " + c.ackTimeoutMillis() + " on-ack-timeout " + c.onAckTimeout().configName()
                    + " min-replicas-to-write " + c.minReplicasToWrite();
        };
    }

    public static String entry(Entry entry) {
        StringJoiner joiner = new StringJoiner(", ", entry.term() + "/" + entry.lsn() + " [", "]");
        for (Effect effect : entry.effects()) {
            joiner.add(effect.getClass().getSimpleName() + " " + ascii(effect.key()));
        }
        return joiner.toString();
    }

    public static String args(byte[][] args) {
        StringJoiner joiner = new StringJoiner(" ");
        for (byte[] arg : args) {
            joiner.add(ascii(arg));
        }
        return joiner.toString();
    }

    public static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String list(List<Reply> items) {
        StringJoiner joiner = new StringJoiner(" ", "[", "]");
        for (Reply item : items) {
            joiner.add(reply(item));
        }
        return joiner.toString();
    }
}
