package io.tandem.server.sentinel;

import io.tandem.core.model.Event;
import io.tandem.core.model.Reply;
import io.tandem.core.replicaset.ReplicaSetNode;
import io.tandem.server.agent.NodeObserver;
import io.tandem.server.config.NodeConfig;
import io.tandem.server.pubsub.PubSub;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The Sentinel API of one node: SENTINEL commands answered from the node's view, and Sentinel's events published
 * on the node's pub/sub as that view changes. See docs/operations.md, "Sentinel-aware clients".
 */
public final class Sentinel implements NodeObserver {
    private final SentinelCommands commands;
    private final SentinelEvents events;

    /**
     * @param loop  runs a task on the node's thread after the current one (events are looked at after the step)
     * @param flush asks the node to write what was published to the subscribers
     */
    public Sentinel(Supplier<ReplicaSetNode> node, NodeConfig config, PubSub pubSub, Executor loop, Runnable flush) {
        SentinelView view = new SentinelView(node, config.replication(), config.pubSub().sentinelMasterName());
        this.commands = new SentinelCommands(view);
        this.events = new SentinelEvents(view, pubSub, loop, flush);
    }

    public Reply execute(byte[][] args) {
        return commands.execute(args);
    }

    @Override
    public void onEvent(Event event) {
        events.onEvent(event);
    }

    @Override
    public void onTick() {
        events.onTick();
    }
}
