package io.tandem.cli;

import io.tandem.sim.scenario.Scenario;
import io.tandem.sim.scenario.ScenarioRunner;
import io.tandem.sim.scenario.Scenarios;
import io.tandem.sim.scenario.Transcript;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tandem scenario list | run NAME}: replays a named scenario in the simulator (in process, in
 * simulated time: it takes well under a second) and prints its timeline, for learning how the replication
 * policies behave. The scenarios and their transcripts live in tandem-sim (io.tandem.sim.scenario).
 */
@Command(name = "scenario", mixinStandardHelpOptions = true,
        description = "Replay a scripted replication scenario in the simulator and print its timeline.",
        subcommands = {ScenarioCommand.ListScenarios.class, ScenarioCommand.RunScenario.class})
public final class ScenarioCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the scenarios, one line each.")
    static final class ListScenarios implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            int width = Scenarios.names().stream().mapToInt(String::length).max().orElse(0);
            for (Scenario scenario : Scenarios.all()) {
                out.printf("%-" + width + "s  %s%n", scenario.name(), scenario.description());
            }
            out.println();
            out.println("Run one with: tandem scenario run NAME");
            out.flush();
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run a scenario and print its timeline.")
    static final class RunScenario implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Parameters(paramLabel = "NAME", description = "A scenario, as 'tandem scenario list' shows.")
        String name;

        @Override
        public Integer call() {
            Optional<Scenario> scenario = Scenarios.named(name);
            if (scenario.isEmpty()) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("tandem scenario run: no scenario named \"" + name + "\"; the scenarios are: "
                        + String.join(", ", Scenarios.names()));
                err.flush();
                return 2;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print(Transcript.of(scenario.get(), ScenarioRunner.run(scenario.get())));
            out.flush();
            return 0;
        }
    }
}
