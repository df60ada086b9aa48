package io.tandem.sim;

import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.OnAckTimeout;
import io.tandem.sim.sim.Fault;
import io.tandem.sim.sim.FaultSchedule;
import java.util.SplittableRandom;

/**
 * Leader-follower runs in which an operator also changes the acknowledgement settings while clients write
 * ({@code tandem sim --ack-changes}, {@link SimulationConfig.Overrides#ACK_CHANGES}): one to three windows, one
 * after another, each under a policy, level, timeout and on-ack-timeout drawn from those the seeds walk, set
 * back to the configured ones at its end. The checkers then hold every acknowledgement to the settings in force
 * on the leader when it was given (AckPromiseChecker), and nothing acknowledged may be lost (AckedWritesChecker).
 * One change in three is made on the leader alone, the followers keeping their own settings.
 */
final class AckChanges {
    /** Mixed into the seed for these draws, so that the seed's other draws are unchanged by them. */
    static final long SALT = 0x5EEDAC4EL;

    private AckChanges() {}

    static FaultSchedule add(FaultSchedule faults, SplittableRandom random, long workloadMicros) {
        int windows = 1 + random.nextInt(3);
        long slice = workloadMicros / windows;
        for (int i = 0; i < windows; i++) {
            // Within its own slice of the workload: windows never overlap, so each end restores the configuration
            // before the next begins.
            long start = i * slice + random.nextLong(slice / 2);
            long duration = 1 + random.nextLong(slice / 2);
            AckPolicy policy = AckPolicy.parse(SimulationConfig.POLICIES.get(random.nextInt(
                    SimulationConfig.POLICIES.size())));
            AckLevel level = SimulationConfig.LEVELS.get(random.nextInt(SimulationConfig.LEVELS.size()));
            long timeoutMillis = new long[] {50, 100, 300, 1000}[random.nextInt(4)];
            OnAckTimeout onTimeout = random.nextInt(3) == 0 ? OnAckTimeout.DEGRADE : OnAckTimeout.ERROR;
            // One change in three on the leader alone: its followers then answer at its level, not their own.
            boolean leaderOnly = random.nextInt(3) == 0;
            faults = faults.with(new Fault.AckChange(start, duration, policy, level, timeoutMillis, onTimeout,
                    leaderOnly));
        }
        return faults;
    }
}
