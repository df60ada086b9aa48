package io.tandem.cli;

import io.tandem.sim.FailoverSimulation;
import io.tandem.sim.ReplicaSetSimulation;
import io.tandem.sim.SimulationConfig;
import io.tandem.sim.SimulationFailure;
import io.tandem.sim.SimulationResult;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tandem sim}: soaks the deterministic simulator over a range of seeds, beyond the fixed set CI
 * runs, or replays one seed. Each seed chooses a whole run (policy, cluster, network, disks, faults); a
 * failure names its seed and the invariant it broke, and {@code --seed N} replays it exactly.
 */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {"Run the deterministic simulator over many seeded schedules (a soak), or replay one seed.",
            "Leader-follower runs by default (failover by hand); --failover runs with elections, crashing,",
            "isolating and pausing the leader."})
public final class SimCommand implements Callable<Integer> {
    /** Most schedules in one soak: about an hour on two cores. */
    static final int MAX_SEEDS = 1_000_000;
    /** A progress line this often, so that a long soak shows it is alive. */
    static final int PROGRESS_EVERY = 1_000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--failover", description = "Members elect their leader; faults move leadership.")
    boolean failover;

    @CommandLine.Option(names = "--ack-changes", description = {"Leader-follower runs in which an operator also",
        "changes the acknowledgement settings (CONFIG SET ack-policy ...) while clients write."})
    boolean ackChanges;

    @CommandLine.Option(names = "--seeds", paramLabel = "N", defaultValue = "1000",
            description = "Schedules to run (default: ${DEFAULT-VALUE}).")
    int seeds;

    @CommandLine.Option(names = "--first-seed", paramLabel = "S", defaultValue = "0",
            description = "The first seed (default: ${DEFAULT-VALUE}); seeds S .. S+N-1 run.")
    long firstSeed;

    @CommandLine.Option(names = "--seed", paramLabel = "S",
            description = "Replay this one seed: print its configuration, its faults and its result.")
    Long seed;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (ackChanges && failover) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ack-changes runs leader-follower schedules:"
                    + " leave out --failover (its checkers hold each run to one policy)");
        }
        if (seed != null) {
            return replay(seed, out, err);
        }
        if (seeds < 1 || seeds > MAX_SEEDS) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seeds must be between 1 and " + MAX_SEEDS
                    + ", got " + seeds);
        }
        if (firstSeed < 0 || firstSeed > Long.MAX_VALUE - seeds) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--first-seed must be >= 0, got " + firstSeed);
        }
        long started = System.nanoTime();
        int failures = 0;
        long leaderships = 0;
        long rolledBack = 0;
        long keptWrites = 0;
        int membershipRuns = 0;
        long changesLogged = 0;
        long changesAcknowledged = 0;
        for (long s = firstSeed; s < firstSeed + seeds; s++) {
            try {
                SimulationResult result = run(s);
                if (result.membershipChangesLogged() > 0) {
                    membershipRuns++;
                }
                changesLogged += result.membershipChangesLogged();
                changesAcknowledged += result.membershipChangesAcknowledged();
                leaderships += result.leaderships();
                rolledBack += result.rolledBackEntries();
                keptWrites += result.ackedWritesChecked();
            } catch (SimulationFailure failure) {
                failures++;
                err.println("FAILED --seed=" + failure.seed() + " (" + failure.invariant() + "):");
                failure.getMessage().lines().limit(3).forEach(line -> err.println("  " + line));
                err.println("  replay: tandem sim" + (failover ? " --failover" : "")
                        + (ackChanges ? " --ack-changes" : "") + " --seed " + failure.seed());
                err.flush();
            }
            long done = s - firstSeed + 1;
            if (done % PROGRESS_EVERY == 0 && done < seeds) {
                err.printf("%d of %d schedules, %d failed, %.0f s%n", done, seeds, failures, seconds(started));
                err.flush();
            }
        }
        String kind = failover ? "failover" : ackChanges ? "leader-follower (with ack changes)" : "leader-follower";
        out.printf("%d %s schedules (seeds %d..%d): %d failed; %d acknowledged writes checked kept%s, %.1f s%n", seeds,
                kind, firstSeed, firstSeed + seeds - 1, failures, keptWrites,
                failover ? ", " + leaderships + " leaderships, " + rolledBack + " entries rolled back, " + membershipRuns
                        + " runs changed members (" + changesLogged + " changes logged, " + changesAcknowledged
                        + " acknowledged)" : "",
                seconds(started));
        out.flush();
        return failures == 0 ? 0 : 1;
    }

    private SimulationResult run(long s) {
        return failover ? FailoverSimulation.run(SimulationConfig.failoverFromSeed(s))
                : ReplicaSetSimulation.run(config(s));
    }

    private SimulationConfig config(long s) {
        return failover ? SimulationConfig.failoverFromSeed(s)
                : SimulationConfig.fromSeed(s, ackChanges ? SimulationConfig.Overrides.ACK_CHANGES
                        : SimulationConfig.Overrides.NONE);
    }

    private int replay(long s, PrintWriter out, PrintWriter err) {
        SimulationConfig config = config(s);
        out.println("seed " + s + ": " + config.policyAndLevel());
        out.print(config.describe());
        out.println("faults:");
        out.print(config.faults().describe());
        out.flush();
        try {
            out.println(run(s));
            out.flush();
            return 0;
        } catch (SimulationFailure failure) {
            err.println(failure.getMessage());
            err.flush();
            return 1;
        }
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
