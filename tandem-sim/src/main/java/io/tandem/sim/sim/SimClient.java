package io.tandem.sim.sim;

import io.tandem.core.model.Reply;
import io.tandem.core.protocol.Input;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A simulated client connection: one request at a time (closed loop, as Jepsen's clients), writes to the
 * leader, reads to the leader or now and then to a follower. A request gets no reply when its node crashes;
 * the client gives up after {@code timeoutMicros} (the operation stays indeterminate in the history) and
 * goes on. The network between clients and nodes is reliable, with a small latency.
 */
public final class SimClient implements ReplyTarget {
    /** Between a client and a node, a request or a reply takes this long plus up to HOP_SPREAD_MICROS (exclusive). */
    public static final long HOP_MIN_MICROS = 50;
    public static final long HOP_SPREAD_MICROS = 500;

    private final String name;
    private final Scheduler scheduler;
    private final SplittableRandom random;
    private final Workload workload;
    private final List<SimNode> nodes;
    /** Where writes go: the leader as a client discovers it (Sentinel, or the READONLY redirect). */
    private final java.util.function.Function<SplittableRandom, SimNode> leader;
    private final History history;
    private final double followerReadShare;
    private final long thinkMaxMicros;
    private final long timeoutMicros;
    private final long stopMicros;
    private long outstanding = -1;
    private int issued;

    public SimClient(String name, Scheduler scheduler, SplittableRandom random, Workload workload, List<SimNode> nodes,
            java.util.function.Function<SplittableRandom, SimNode> leader, History history, double followerReadShare, long thinkMaxMicros, long timeoutMicros,
            long stopMicros) {
        this.name = name;
        this.scheduler = scheduler;
        this.random = random;
        this.workload = workload;
        this.nodes = nodes;
        this.leader = leader;
        this.history = history;
        this.followerReadShare = followerReadShare;
        this.thinkMaxMicros = thinkMaxMicros;
        this.timeoutMicros = timeoutMicros;
        this.stopMicros = stopMicros;
    }

    public String name() {
        return name;
    }

    public void start() {
        scheduler.after(random.nextLong(thinkMaxMicros + 1), name, null, null, this::issue);
    }

    private long hopMicros() {
        return HOP_MIN_MICROS + random.nextLong(HOP_SPREAD_MICROS);
    }

    private void issue() {
        if (scheduler.nowMicros() >= stopMicros) {
            return;
        }
        String token = name + "-" + (++issued);
        Workload.Request request = workload.next(random, token);
        SimNode target = leader.apply(random);
        if (target == null) {
            // No leader right now (an election runs): the request goes to any node, which refuses a write.
            target = nodes.get(random.nextInt(nodes.size()));
        } else if (!request.write() && nodes.size() > 1 && random.nextDouble() < followerReadShare) {
            int pick = random.nextInt(nodes.size() - 1);
            target = nodes.get(pick >= target.index() ? pick + 1 : pick);
        }
        send(target, request);
    }

    /**
     * Sends one request to a node now (scripted scenarios call this directly; the random workload goes
     * through here too) and returns its operation in the history.
     */
    public Operation send(SimNode target, Workload.Request request) {
        Operation op = history.invoke(name, target.name(), request.kind(), request.text(), request.token(),
                scheduler.nowMicros(), request.commands());
        long requestId = op.requestId();
        outstanding = requestId;
        Input input = request.kind() == Operation.Kind.TRANSACTION
                ? new Input.ClientTransaction(this, requestId, request.commands())
                : new Input.ClientCommand(this, requestId, request.commands().get(0));
        SimNode node = target;
        int incarnation = node.incarnation();
        scheduler.after(hopMicros(), node.name(), "<- " + name, input, () -> {
            if (node.isUp() && node.incarnation() == incarnation) {
                node.clientRequest(input);
            } else {
                scheduler.note(node.name(), "down: request lost #", requestId);
            }
        });
        scheduler.after(timeoutMicros, name, null, null, () -> {
            if (outstanding == requestId) {
                history.timeOut(requestId);
                scheduler.note(name, "gave up on #", requestId);
                outstanding = -1;
                thinkThenIssue();
            }
        });
        return op;
    }

    /** A node released a reply for this client: it arrives after a hop (unless the node crashes, it does). */
    @Override
    public void replyFrom(SimNode node, long requestId, Reply reply) {
        scheduler.after(hopMicros(), name, "<- " + node.name() + " #" + requestId, reply, () -> {
            history.complete(requestId, reply, scheduler.nowMicros());
            if (outstanding == requestId) {
                outstanding = -1;
                thinkThenIssue();
            }
        });
    }

    private void thinkThenIssue() {
        scheduler.after(random.nextLong(thinkMaxMicros + 1), name, null, null, this::issue);
    }
}
