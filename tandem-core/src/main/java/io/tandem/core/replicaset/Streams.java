package io.tandem.core.replicaset;

import io.tandem.core.model.Entry;
import io.tandem.core.model.Event;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.protocol.Output;
import io.tandem.core.util.Invariants;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The streams a node feeds: a leader's followers, or, when cascading, the followers a follower relays
 * to. One {@link Progress} each, and what keeps each stream going: probing for the match point, batches
 * within the in-flight window, heartbeats, go-back resends, and the snapshot transfer for a follower
 * behind the log. The node decides what an answer means for acknowledgements (a leader's commit point, a
 * relay's report upstream); this class only moves the stream. Part of the core: no I/O, no clock.
 */
final class Streams {
    /** Entries sent but not acknowledged are sent again after this many heartbeats (go-back-N). */
    static final int RESEND_HEARTBEATS = 3;
    /**
     * A snapshot transfer whose follower acknowledged nothing for this long is given up (and started again
     * on the next probe). Generous: after the last chunk the follower verifies and loads the whole
     * snapshot before it answers again, about a second per million keys.
     */
    static final long SNAPSHOT_STALL_MILLIS = 60_000;

    private final ReplicaSetNode node;
    final Map<NodeId, Progress> progress = new TreeMap<>();

    Streams(ReplicaSetNode node) {
        this.node = node;
    }

    /** A follower (re)subscribes, saying where its log ends: find the match point from there. */
    void onSubscribe(long nowMillis, Message.Subscribe subscribe, Output out) {
        NodeId from = subscribe.from();
        if (node.upstreamRelays().contains(from)) {
            // Is it upstream of us (our stream passes through it)? Feeding it would close a loop of relays no
            // leader feeds: refuse, and forget what it was to us (it finds the leader, or another relay).
            progress.remove(from);
            return;
        }
        Progress p = progress.get(from);
        if (p == null && !node.isLeader() && node.leader() != null && node.config().member(from) != null
                && !from.equals(node.leader()) && !from.equals(node.self())) {
            // Cascading: a member streams from us instead of from the leader. We relay what we hold durable,
            // with the leader's commit point and time, and report its positions upstream with ours. Not
            // while we follow no one (a deposed leader, a node just restarted): our heartbeats would keep
            // the follower believing in a leader that is gone, and it would never stand for election.
            p = new Progress();
            p.appliedMovedMillis = nowMillis;
            progress.put(from, p);
        }
        if (p == null) {
            return; // not a member, or ourselves: nothing to stream
        }
        p.relayedBy = null; // it streams from us directly now
        p.ignoreRelayedUntilMillis = nowMillis + 2L * ReplicaSetNode.CONNECTED_HEARTBEATS
                * node.config().heartbeatIntervalMillis();
        p.subscribedMillis = nowMillis;
        out.event(new Event.FollowerSubscribed(from, subscribe.lastLsn()));
        p.state = Progress.State.PROBE;
        p.matchLsn = -1;
        p.sentLsn = Math.min(subscribe.lastLsn(), node.relayableLsn());
        // The follower says where its log ends now: a crash may have taken back what it had received, so
        // what it reported before no longer holds. (Positions otherwise only grow.)
        p.receivedLsn = Math.min(p.receivedLsn, subscribe.lastLsn());
        p.durableLsn = Math.min(p.durableLsn, subscribe.lastLsn());
        p.appliedLsn = Math.min(p.appliedLsn, subscribe.lastLsn());
        p.connected = true;
        p.lastHeardMillis = nowMillis;
        p.announce = subscribe.announce();
        node.addresses().put(subscribe.from(), subscribe.announce());
        sendProbe(nowMillis, subscribe.from(), p, out);
    }

    /**
     * A leader just elected: ask every member whether it holds our last entry, which also tells it who
     * leads (it may have voted for us, or not know of the election at all).
     */
    void probeAll(long nowMillis, Output out) {
        for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
            e.getValue().sentLsn = node.lastLsn();
            sendProbe(nowMillis, e.getKey(), e.getValue(), out);
        }
    }

    /** A member just added: find where its log ends (it may be empty: then it is bootstrapped). */
    void probe(long nowMillis, NodeId to, Progress p, Output out) {
        p.sentLsn = node.lastLsn();
        sendProbe(nowMillis, to, p, out);
    }

    /**
     * Asks whether the follower holds the entry at p.sentLsn: an AppendRequest without entries. Its answer
     * is a match (stream from there) or a mismatch with the follower's last LSN (step back, ask again).
     */
    private void sendProbe(long nowMillis, NodeId to, Progress p, Output out) {
        // A relay asks only about entries its leader confirmed (ReplicaSetNode.relayableLsn): a match on an entry
        // of a superseded term that both still hold would vouch for it as the leader's.
        long prev = Math.min(p.sentLsn, node.relayableLsn());
        if (prev < node.log().firstLsn() - 1) {
            if (node.relayableLsn() < node.lastLsn()) {
                // A relay whose leader has not confirmed its whole log yet: its snapshot may hold entries of a
                // superseded term. Wait (the next heartbeat probes again); its leader confirms it soon.
                return;
            }
            // The entries this follower needs were dropped after a snapshot: it needs the snapshot.
            startSnapshot(nowMillis, to, p, out);
            return;
        }
        p.sentLsn = prev;
        sendEmpty(nowMillis, to, p, prev, out);
    }

    /**
     * Bootstraps a follower that needs entries before the log's first: the runtime streams the newest
     * snapshot (which covers at least up to firstLsn - 1, since segments are deleted only once a snapshot
     * covers them); the follower installs it and subscribes again from the snapshot's LSN.
     */
    private void startSnapshot(long nowMillis, NodeId to, Progress p, Output out) {
        if (!mayRelay(nowMillis)) {
            return; // still probing: the next tick tries again
        }
        out.event(new Event.FollowerNeedsSnapshot(to, p.sentLsn + 1, node.log().firstLsn()));
        p.state = Progress.State.SNAPSHOT;
        p.snapshotMovedMillis = nowMillis;
        p.lastSentMillis = nowMillis;
        out.sendSnapshot(to);
    }

    void onSnapshotAck(long nowMillis, Message.SnapshotAck ack, Output out) {
        Progress p = progress.get(ack.from());
        if (p == null || ack.term() != node.term() || p.state != Progress.State.SNAPSHOT) {
            return; // a transfer this node no longer runs
        }
        p.lastHeardMillis = nowMillis;
        p.connected = true;
        p.snapshotMovedMillis = nowMillis;
        if (ack.failed()) {
            out.event(new Event.SnapshotTransferFailed(ack.from(), "the follower gave the transfer up at byte "
                    + ack.nextOffset()));
            p.state = Progress.State.PROBE; // the next heartbeat probes again, and starts a new transfer
        }
        out.snapshotAcked(ack);
    }

    /**
     * May this node send its followers anything now? A leader may; a relay (cascading) only while it hears from
     * its own upstream, within two heartbeats. Every request a follower gets from whom it follows restarts its
     * election timer and keeps it refusing votes ("it still hears from its leader"): a relay whose leader died
     * and that kept sending heartbeats of its own would keep its followers refusing every candidate, and with
     * them needed for a majority no one could be elected (a four-member set, n1 dead and n4 behind n2). Without
     * elections nothing depends on it, and a relay goes on as before. Its batches are not held back by this
     * rule alone: new entries come from its upstream, so it just heard from it.
     */
    private boolean mayRelay(long nowMillis) {
        return node.isLeader() || !node.config().elections()
                || nowMillis - node.heardFromLeaderMillis() < 2 * node.config().heartbeatIntervalMillis();
    }

    /** A request without entries after prev: a probe, or a heartbeat (commit LSN, time, the directory). */
    private void sendEmpty(long nowMillis, NodeId to, Progress p, long prev, Output out) {
        if (!mayRelay(nowMillis)) {
            return; // its timer goes on: the next tick tries again
        }
        out.sendNow(to, new Message.AppendRequest(node.term(), node.self(), prev, node.log().term(prev), List.of(),
                node.shippedCommitLsn(), node.shippedTimeMillis(nowMillis), node.addresses().own(),
                node.addresses().directory(), node.shippedReadRound(), node.shippedRelays(),
                node.shippedAckOnReceipt()));
        p.lastSentMillis = nowMillis;
    }

    /**
     * A follower answered. Returns its Progress when the answer moved its positions (the node then looks at
     * acknowledgements and streams on), null when there is nothing more to do: an answer from a follower
     * we do not stream to, of another term, during a snapshot transfer, or a mismatch (probed again here).
     */
    Progress onAnswer(long nowMillis, Message.AppendResponse response, Output out) {
        Progress p = progress.get(response.from());
        if (p == null || response.term() != node.term()) {
            return null;
        }
        p.lastHeardMillis = nowMillis;
        p.connected = true;
        p.echoedReadRound = Math.max(p.echoedReadRound, response.readRound());
        p.echoedLeaderMillis = Math.max(p.echoedLeaderMillis, response.leaderMillis());
        if (node.isLeader()) {
            learnRelayed(nowMillis, response);
        } else {
            p.relayedDownstream = response.downstream(); // passed on upstream with ours (Following#respond)
        }
        if (p.state == Progress.State.SNAPSHOT) {
            // An answer during the transfer. Has the follower's log moved since the transfer started (it
            // installed the snapshot, and its Subscribe may have been lost), or does it reach our log's
            // start after all (a stale mismatch answer started the transfer while batches on their way
            // caught it up; it drops the snapshot, which no longer applies)? Then probe from its end: it
            // streams from there, or needs a newer snapshot. Otherwise the transfer goes on.
            // (p.sentLsn stays where the follower's log ended when the transfer started.)
            if (response.matched()
                    && (response.lastLsn() >= node.log().firstLsn() - 1 || response.lastLsn() > p.sentLsn)) {
                p.state = Progress.State.PROBE;
                p.sentLsn = Math.min(response.lastLsn(), node.relayableLsn());
                sendProbe(nowMillis, response.from(), p, out);
            }
            return null;
        }
        if (!response.matched()) {
            p.state = Progress.State.PROBE;
            long theirSnapshot = response.snapshotLsn();
            if (theirSnapshot > 0 && p.sentLsn < theirSnapshot && theirSnapshot >= node.log().firstLsn() - 1
                    && (theirSnapshot <= node.relayableLsn() || node.isLeader())) {
                // We asked below the first entry the follower can compare, the one its snapshot ends with: ask
                // about that one. If ours there differs, or our log ends before it (its term is then -1), the
                // follower's snapshot holds entries of a superseded term: it drops everything, and we bootstrap
                // it. Only a leader's log is the measure beyond its end: a relay (cascading) may just be behind
                // the follower it feeds, and it vouches only for what its leader confirmed. (A snapshot older
                // than our log's start is compared through ours.)
                p.sentLsn = theirSnapshot;
                sendEmpty(nowMillis, response.from(), p, theirSnapshot, out);
                return null;
            }
            // Step back to the follower's end (or one before what we asked about) and ask again.
            // Worked example: we asked about 7, the follower's log ends at 4: the next probe is about 4.
            p.sentLsn = Math.max(0, Math.min(p.sentLsn - 1, response.lastLsn()));
            sendProbe(nowMillis, response.from(), p, out);
            return null;
        }
        if (p.state == Progress.State.PROBE) {
            p.state = Progress.State.REPLICATE;
            p.sentLsn = Math.max(p.sentLsn, response.lastLsn());
        }
        p.matchLsn = Math.max(p.matchLsn, response.lastLsn());
        if (response.receivedLsn() > p.receivedLsn) {
            p.receivedLsn = response.receivedLsn();
            p.receivedMovedMillis = nowMillis;
        }
        if (response.durableLsn() > p.durableLsn) {
            p.durableLsn = response.durableLsn();
            p.durableMovedMillis = nowMillis;
        }
        if (response.appliedLsn() > p.appliedLsn) {
            p.appliedLsn = response.appliedLsn();
            p.appliedMovedMillis = nowMillis;
        }
        return p;
    }

    /**
     * A follower that relays (cascading) reported the positions of the replicas it feeds: the leader
     * takes them as it would their own answers, so that they count for the policy and show in monitoring.
     * They are set, not only raised: the relay tells what its followers last said, lower after a crash.
     */
    private void learnRelayed(long nowMillis, Message.AppendResponse response) {
        for (Message.Relayed relayed : response.downstream()) {
            Progress q = progress.get(relayed.replica());
            if (q == null || relayed.replica().equals(response.from())) {
                continue;
            }
            // Did the replica come to us directly lately, and does this report not show it heard from us through
            // the relay since? Then the relay may be one it left, vouching for what it said before (a crash may
            // have taken that back): ignore it. A report that echoes a send time after the replica's Subscribe
            // is fresh: it moved to this relay since (cascading again after an election), and counts at once.
            if (nowMillis < q.ignoreRelayedUntilMillis && relayed.leaderMillis() <= q.subscribedMillis) {
                continue;
            }
            q.relayedBy = relayed.via() != null ? relayed.via() : response.from();
            q.connected = true;
            if (!relayed.announce().isEmpty()) {
                q.announce = relayed.announce();
                node.addresses().put(relayed.replica(), relayed.announce());
            }
            q.lastHeardMillis = nowMillis;
            // The relay passes on our send times (AppendRequest.leaderTimeMillis): the replica heard from us, through it.
            q.echoedLeaderMillis = Math.max(q.echoedLeaderMillis, relayed.leaderMillis());
            if (relayed.receivedLsn() != q.receivedLsn) {
                q.receivedMovedMillis = nowMillis;
            }
            if (relayed.durableLsn() != q.durableLsn) {
                q.durableMovedMillis = nowMillis;
            }
            if (relayed.appliedLsn() != q.appliedLsn) {
                q.appliedMovedMillis = nowMillis;
            }
            q.receivedLsn = relayed.receivedLsn();
            q.durableLsn = relayed.durableLsn();
            q.appliedLsn = relayed.appliedLsn();
            q.sentLsn = Math.max(q.sentLsn, q.receivedLsn);
        }
    }

    void replicateAll(long nowMillis, Output out) {
        for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
            replicate(nowMillis, e.getKey(), e.getValue(), out);
        }
    }

    /**
     * Streams what the follower lacks, within the in-flight window, up to what is durable here: no
     * follower may hold an entry its leader could lose in a crash. Called when the durable LSN moves (one
     * batch per follower for a whole flush), when a follower acknowledges (the window moves) and on ticks.
     */
    void replicate(long nowMillis, NodeId to, Progress p, Output out) {
        if (p.state != Progress.State.REPLICATE || p.relayedBy != null) {
            return; // not streaming yet, or fed by a relay (cascading)
        }
        if (!mayRelay(nowMillis)) {
            return; // a relay that lost its upstream: not even a go-back resend
        }
        // Only what is durable here, and on a relay only what its leader confirmed (see relayableLsn).
        long shippableLsn = Math.min(node.durableLsn(), node.relayableLsn());
        while (p.sentLsn < shippableLsn && inflightBytes(p) < node.config().maxInflightBytes()) {
            if (p.sentLsn < node.log().firstLsn() - 1) {
                // What we think the follower lacks was compacted away, but our idea of its end may be
                // stale (a go-back resend starts from the last confirmed position). Ask at the oldest point
                // still checkable: a match streams from there, a mismatch answers with its real end, and
                // only an end before our log's start needs a snapshot.
                p.state = Progress.State.PROBE;
                p.sentLsn = node.log().firstLsn() - 1;
                sendProbe(nowMillis, to, p, out);
                return;
            }
            List<Entry> batch = node.log().entries(p.sentLsn + 1, node.config().maxBatchBytes());
            Invariants.check(!batch.isEmpty(), "log has no entry at %d though it ends at %d", p.sentLsn + 1,
                    node.lastLsn());
            if (batch.get(batch.size() - 1).lsn() > shippableLsn) {
                // Worked example: sent up to 10, shippable 12, the batch read 11..15: keep 11..12, 12 - 10 entries.
                batch = batch.subList(0, (int) (shippableLsn - p.sentLsn));
            }
            long prev = p.sentLsn;
            out.sendNow(to, new Message.AppendRequest(node.term(), node.self(), prev, node.log().term(prev), batch,
                    node.shippedCommitLsn(), node.shippedTimeMillis(nowMillis), node.addresses().own(), "",
                    node.shippedReadRound(), node.shippedRelays(), node.shippedAckOnReceipt()));
            p.sentLsn = batch.get(batch.size() - 1).lsn();
            p.lastSentMillis = nowMillis;
            p.lastBatchSentMillis = nowMillis;
        }
    }

    /** Unacknowledged entries in flight, measured in LSNs times a nominal entry size (cheap, monotone). */
    private long inflightBytes(Progress p) {
        return (p.sentLsn - p.receivedLsn) * 128L;
    }

    /**
     * Per follower we stream to (a leader's, or a relay's when cascading): heartbeats, probes, go-back
     * resends and the snapshot transfer's stall timer. Replicas that stream from a relay are left to it.
     */
    void tick(long nowMillis, Output out) {
        long heartbeat = node.config().heartbeatIntervalMillis();
        for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
            Progress p = e.getValue();
            if (p.relayedBy != null && node.isLeader() && node.config().elections()
                    && nowMillis - p.lastHeardMillis > ReplicaSetNode.CONNECTED_HEARTBEATS * heartbeat) {
                // Its relay stopped reporting it (the relay died, left the members, or lost the replica): stream
                // to it directly. It follows us once its relay has been silent long enough, and goes back to the
                // relay when that streams to it again (Following#followsSender).
                p.relayedBy = null;
                p.state = Progress.State.PROBE;
                p.matchLsn = -1;
                p.sentLsn = Math.min(p.receivedLsn, node.lastLsn());
            }
            if (nowMillis - p.lastSentMillis < heartbeat || p.relayedBy != null) {
                continue;
            }
            if (p.state == Progress.State.PROBE) {
                // A follower that never subscribed is probed too once members elect their leader: it may
                // not know who won (it learns from the probe).
                if (p.connected || node.config().elections()) {
                    sendProbe(nowMillis, e.getKey(), p, out);
                }
                continue;
            }
            if (p.state == Progress.State.SNAPSHOT) {
                if (nowMillis - p.snapshotMovedMillis >= SNAPSHOT_STALL_MILLIS) {
                    out.event(new Event.SnapshotTransferFailed(e.getKey(), "nothing acknowledged for "
                            + SNAPSHOT_STALL_MILLIS + " ms"));
                    p.state = Progress.State.PROBE;
                    continue;
                }
                // Heartbeats go on during the transfer (after LSN 0, which every log holds), so the follower
                // keeps hearing its leader and does not subscribe again while it loads the snapshot.
                sendEmpty(nowMillis, e.getKey(), p, 0, out);
                continue;
            }
            long resendAfter = RESEND_HEARTBEATS * heartbeat;
            if (p.sentLsn > p.receivedLsn && nowMillis - p.lastBatchSentMillis >= resendAfter
                    && nowMillis - p.receivedMovedMillis >= resendAfter && p.lastHeardMillis > p.lastBatchSentMillis) {
                // Entries went out long ago, the follower answered since, and its received position has not
                // moved: a batch was lost (the runtime drops what a backed-up connection cannot take, or the
                // follower restarted without it). Go back and send again. The clocks are batches and
                // acknowledgements, not heartbeats, which go out all the time.
                //
                // Not while the follower is silent: a stopped or paused process, or one busy with a backlog,
                // has not read the batch yet, and sending the window again only queued a copy behind the
                // first for it to read and discard when it runs (up to the transport's 16 MB high-water mark
                // of duplicates per stall). Its next answer says where it stands.
                p.sentLsn = p.receivedLsn;
            }
            replicate(nowMillis, e.getKey(), p, out);
            if (nowMillis - p.lastSentMillis >= heartbeat) {
                sendEmpty(nowMillis, e.getKey(), p, heartbeatPrev(p), out);
            }
        }
    }

    /**
     * Where a heartbeat asks: the match point. If we compacted it, the oldest entry we still know the term
     * of (a term of -1 means "my log ends before it": see the follower's check at its snapshot's LSN).
     */
    private long heartbeatPrev(Progress p) {
        long prev = Math.max(0, p.matchLsn);
        return node.log().term(prev) < 0 ? node.log().firstLsn() - 1 : prev;
    }

    /**
     * A read round began (read-index): every follower we stream to directly hears from us now, so that a
     * majority can echo the round. Where each stands decides what it is asked: a streaming follower about its
     * match point, one being probed about the probe's point (if we still hold it), one receiving a snapshot
     * after LSN 0, as the periodic heartbeats do.
     */
    void heartbeatAll(long nowMillis, Output out) {
        for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
            Progress p = e.getValue();
            if (p.relayedBy != null) {
                continue;
            }
            switch (p.state) {
                case REPLICATE -> sendEmpty(nowMillis, e.getKey(), p, heartbeatPrev(p), out);
                case SNAPSHOT -> sendEmpty(nowMillis, e.getKey(), p, 0, out);
                case PROBE -> {
                    if (p.sentLsn >= node.log().firstLsn() - 1 && p.sentLsn <= node.lastLsn()) {
                        sendEmpty(nowMillis, e.getKey(), p, p.sentLsn, out);
                    }
                }
            }
        }
    }
}
