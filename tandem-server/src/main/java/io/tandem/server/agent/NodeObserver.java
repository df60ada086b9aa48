package io.tandem.server.agent;

import io.tandem.core.model.Event;

/**
 * Something outside the agent that follows the node: it hears every core event and every timer tick, on the
 * agent's thread (the Sentinel API publishes its events from these).
 */
public interface NodeObserver {
    NodeObserver NONE = new NodeObserver() {
        @Override
        public void onEvent(Event event) {}

        @Override
        public void onTick() {}
    };

    /** A core event, while the core is still stepping: look at the node's state later, not here. */
    void onEvent(Event event);

    /** After a timer tick's step. */
    void onTick();
}
