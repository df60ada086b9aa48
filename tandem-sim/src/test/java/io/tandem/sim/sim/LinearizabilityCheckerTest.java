package io.tandem.sim.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.Reply;
import io.tandem.sim.check.InvariantViolation;
import io.tandem.sim.check.LinearizabilityChecker;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The linearizability checker on hand-made histories: each of its rules once, both ways. Times are
 * microseconds; every operation here was served by a leader unless a test says otherwise.
 */
class LinearizabilityCheckerTest {
    private final History history = new History();

    private Operation op(Operation.Kind kind, long invoked, Long completed, Reply reply, String... words) {
        Workload.Request request = Workload.command(kind != Operation.Kind.READ, words);
        Operation op = history.invoke("c", "n1", kind, request.text(), request.token(), invoked, request.commands());
        if (completed != null) {
            history.complete(op.requestId(), reply, completed);
            history.served(op.requestId(), true);
        } else {
            history.timeOut(op.requestId());
        }
        return op;
    }

    private static Reply bulk(String value) {
        return Reply.bulk(value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aReadAfterACompletedWriteMustSeeIt() {
        op(Operation.Kind.WRITE, 0, 10L, Reply.OK, "SET", "k0", "a");
        op(Operation.Kind.READ, 12, 14L, Reply.NULL, "GET", "k0");
        InvariantViolation v = assertThrows(InvariantViolation.class, () -> LinearizabilityChecker.check(history));
        assertTrue(v.getMessage().contains("no order of the operations on k0"), v.getMessage());
    }

    @Test
    void aReadConcurrentWithAWriteMaySeeEitherValue() {
        op(Operation.Kind.WRITE, 0, 10L, Reply.OK, "SET", "k0", "a");
        op(Operation.Kind.READ, 5, 7L, Reply.NULL, "GET", "k0");
        op(Operation.Kind.READ, 6, 8L, bulk("a"), "GET", "k0");
        assertEquals(new LinearizabilityChecker.Result(1, 3, 0), LinearizabilityChecker.check(history));
    }

    @Test
    void readsMayNotGoBackInTime() {
        op(Operation.Kind.WRITE, 0, 100L, Reply.OK, "SET", "k1", "a");
        op(Operation.Kind.READ, 10, 20L, bulk("a"), "GET", "k1");
        op(Operation.Kind.READ, 30, 40L, Reply.NULL, "GET", "k1"); // after a read that saw "a"
        assertThrows(InvariantViolation.class, () -> LinearizabilityChecker.check(history));
    }

    @Test
    void aTimedOutWriteMayTakeEffectLateOrNever() {
        op(Operation.Kind.WRITE, 0, null, null, "INCR", "n0"); // no answer: indeterminate
        op(Operation.Kind.READ, 50, 60L, Reply.NULL, "GET", "n0");
        op(Operation.Kind.READ, 70, 80L, bulk("1"), "GET", "n0");
        assertEquals(3, LinearizabilityChecker.check(history).operations());
    }

    @Test
    void countersCountEveryIncrementOnce() {
        op(Operation.Kind.WRITE, 0, 10L, Reply.integer(1), "INCR", "n1");
        op(Operation.Kind.WRITE, 20, 30L, Reply.integer(1), "INCR", "n1"); // a second 1: a lost increment
        assertThrows(InvariantViolation.class, () -> LinearizabilityChecker.check(history));
    }

    @Test
    void aFollowersStaleReadAndARefusedWriteAreLeftOut() {
        op(Operation.Kind.WRITE, 0, 10L, Reply.OK, "SET", "k2", "a");
        Operation stale = op(Operation.Kind.READ, 20, 30L, Reply.NULL, "GET", "k2");
        history.served(stale.requestId(), false); // a follower answered: stale by design
        op(Operation.Kind.WRITE, 40, 50L, Reply.error("READONLY You can't write against a read only replica."),
                "SET", "k2", "b");
        op(Operation.Kind.READ, 60, 70L, bulk("a"), "GET", "k2");
        assertEquals(2, LinearizabilityChecker.check(history).operations());
    }

    @Test
    void aWriteAcknowledgedAsItsLeaderSteppedDownStillCounts() {
        op(Operation.Kind.WRITE, 0, 10L, Reply.integer(1), "INCR", "n0");
        Operation late = op(Operation.Kind.WRITE, 20, 900L, Reply.integer(2), "INCR", "n0");
        history.served(late.requestId(), false); // committed while leading, released as it stepped down
        op(Operation.Kind.WRITE, 950, 960L, Reply.integer(3), "INCR", "n0");
        assertEquals(3, LinearizabilityChecker.check(history).operations());
    }

    @Test
    void keysWrittenWithATimeToLiveAreNotModelled() {
        op(Operation.Kind.WRITE, 0, 10L, Reply.OK, "SET", "k3", "a", "PX", "50");
        op(Operation.Kind.READ, 100, 110L, Reply.NULL, "GET", "k3"); // expired: fine, but not modelled
        assertEquals(new LinearizabilityChecker.Result(0, 0, 0), LinearizabilityChecker.check(history));
    }
}
