package io.tandem.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.SelectStrategy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The event loop's wait: poll (yielding) within the window after work, block after it, tasks first. */
class SpinThenBlockTest {
    private long nowNanos = 1_000_000;
    private final AtomicInteger yields = new AtomicInteger();
    private final AtomicInteger polls = new AtomicInteger();
    private final SpinThenBlock strategy = new SpinThenBlock(() -> nowNanos, yields::incrementAndGet);

    private int decide(int readyOnPoll, boolean hasTasks) throws Exception {
        return strategy.calculateStrategy(() -> {
            polls.incrementAndGet();
            return readyOnPoll;
        }, hasTasks);
    }

    @Test
    void withoutWorkTheLoopBlocksAtOnce() throws Exception {
        assertEquals(SelectStrategy.SELECT, decide(0, false));
        assertEquals(0, polls.get(), "a blocking wait needs no poll first");
    }

    @Test
    void withinTheWindowAfterWorkItPollsAndYieldsUntilAnEventComes() throws Exception {
        strategy.workedAt(nowNanos, 300_000);
        nowNanos += 100_000;
        assertEquals(SelectStrategy.CONTINUE, decide(0, false));
        assertEquals(1, yields.get(), "an empty poll gives the CPU away before the next");
        nowNanos += 100_000;
        assertEquals(2, decide(2, false), "events found by the poll are handled at once");
        assertEquals(1, yields.get());
    }

    @Test
    void theWindowEndsSpinNanosAfterTheLastWork() throws Exception {
        strategy.workedAt(nowNanos, 300_000);
        // Worked example: work at t, window 300 us: t + 299,999 ns still polls, t + 300,000 blocks.
        nowNanos += 299_999;
        assertEquals(SelectStrategy.CONTINUE, decide(0, false));
        nowNanos += 1;
        assertEquals(SelectStrategy.SELECT, decide(0, false));
        // New work opens a new window.
        strategy.workedAt(nowNanos, 300_000);
        assertEquals(SelectStrategy.CONTINUE, decide(0, false));
    }

    @Test
    void zeroTurnsItOff() throws Exception {
        strategy.workedAt(nowNanos, 0);
        assertEquals(SelectStrategy.SELECT, decide(0, false));
        assertEquals(0, yields.get());
    }

    @Test
    void pendingTasksAreNettysRulePollWithoutBlockingWhateverTheWindow() throws Exception {
        assertEquals(0, decide(0, true));
        strategy.workedAt(nowNanos, 300_000);
        assertEquals(3, decide(3, true));
        assertEquals(0, yields.get(), "no yield with tasks to run");
    }

    @Test
    void aClockThatWrapsStillEndsTheWindow() throws Exception {
        nowNanos = Long.MAX_VALUE - 100_000;
        strategy.workedAt(nowNanos, 300_000);
        nowNanos += 200_000; // wrapped past Long.MAX_VALUE
        assertEquals(SelectStrategy.CONTINUE, decide(0, false));
        nowNanos += 100_000;
        assertEquals(SelectStrategy.SELECT, decide(0, false));
    }
}
