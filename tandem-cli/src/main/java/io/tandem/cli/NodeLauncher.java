package io.tandem.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a {@code tandem node} child process, shared by {@code tandem up} and {@code tandem lab}:
 * this JVM's java binary and classpath (the distribution jar, or the test classpath under surefire), then
 * JVM options, then {@code TandemCommand node ARGS...}.
 */
final class NodeLauncher {
    private NodeLauncher() {}

    /** {@code java JVM_OPTIONS -cp CLASSPATH io.tandem.cli.TandemCommand node NODE_ARGS...}. */
    static List<String> command(List<String> jvmOptions, List<String> nodeArgs) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath(), TandemCommand.class.getName(), "node"));
        command.addAll(nodeArgs);
        return command;
    }

    /**
     * This JVM's own options (bin/tandem's JVM_OPTS and TANDEM_JAVA_OPTS), so children run as the parent was
     * told to; a debugger agent is left out (two JVMs cannot listen on its port).
     */
    static List<String> inheritedJvmOptions() {
        List<String> options = new ArrayList<>();
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!option.startsWith("-agentlib:jdwp") && !option.startsWith("-Xrunjdwp")) {
                options.add(option);
            }
        }
        return options;
    }

    /**
     * Surefire may run from a manifest-only booter jar; its "surefire.test.class.path" holds the real entries.
     * Anywhere else (the distribution jar) java.class.path is the classpath.
     */
    static String classpath() {
        String explicit = System.getProperty("surefire.test.class.path");
        return explicit != null && !explicit.isBlank() ? explicit : System.getProperty("java.class.path");
    }
}
