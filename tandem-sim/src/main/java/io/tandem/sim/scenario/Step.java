package io.tandem.sim.scenario;

import java.util.List;

/**
 * One scripted thing a scenario does at a simulated time (microseconds since the nodes started). Nodes are
 * named by number: 1 is n1, the leader.
 */
public sealed interface Step {
    long atMicros();

    /** When the step's last action happens: the next step may not come before it. */
    default long lastMicros() {
        return atMicros();
    }

    /** The client sends a write to the leader; its last word is the value it stores. */
    record Write(long atMicros, List<String> words) implements Step {}

    /** The client sends a read to node {@code node} (a follower shows what it has applied). */
    record Read(long atMicros, int node, List<String> words) implements Step {}

    /** Node {@code node} is cut off from every other node, both ways: what is sent across is dropped. */
    record Isolate(long atMicros, int node) implements Step {}

    /** The cuts of an {@link Isolate} end. */
    record Heal(long atMicros, int node) implements Step {}

    /**
     * The client writes {@code count} times to the leader, one write every {@code everyMicros}: SET
     * {key}{i} {value}{i} for i = 1..count. The timeline leaves out the lines of these writes (they would be
     * thousands) and says how far they got when the next step comes; show the lag at moments worth a look.
     */
    record WriteMany(long atMicros, int count, long everyMicros, String key, String value) implements Step {
        public WriteMany {
            if (count < 1 || everyMicros < 1) {
                throw new IllegalArgumentException("count and everyMicros must be positive");
            }
        }

        @Override
        public long lastMicros() {
            return atMicros + (count - 1) * everyMicros;
        }
    }

    /** Node {@code node}'s process dies: what is in its memory and not yet on its disk is gone. */
    record Crash(long atMicros, int node) implements Step {}

    /** Node {@code node} starts again from its disk (after a {@link Crash}). */
    record Restart(long atMicros, int node) implements Step {}

    /**
     * An operator runs CONFIG SET ack-policy {@code policy} on node {@code node} (the level, timeout and the rest
     * stay as configured).
     */
    record SetAckPolicy(long atMicros, int node, String policy) implements Step {}

    /** The timeline shows each follower's lag here, saying why this moment is worth a look. */
    record ShowLag(long atMicros, String why) implements Step {}

    static Step write(long atMicros, String... words) {
        return new Write(atMicros, List.of(words));
    }

    static Step read(long atMicros, int node, String... words) {
        return new Read(atMicros, node, List.of(words));
    }

    static Step isolate(long atMicros, int node) {
        return new Isolate(atMicros, node);
    }

    static Step heal(long atMicros, int node) {
        return new Heal(atMicros, node);
    }

    static Step writeMany(long atMicros, int count, long everyMicros, String key, String value) {
        return new WriteMany(atMicros, count, everyMicros, key, value);
    }

    static Step setAckPolicy(long atMicros, int node, String policy) {
        return new SetAckPolicy(atMicros, node, policy);
    }

    static Step crash(long atMicros, int node) {
        return new Crash(atMicros, node);
    }

    static Step restart(long atMicros, int node) {
        return new Restart(atMicros, node);
    }

    static Step showLag(long atMicros, String why) {
        return new ShowLag(atMicros, why);
    }
}
