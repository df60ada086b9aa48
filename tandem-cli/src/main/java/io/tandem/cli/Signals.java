package io.tandem.cli;

/**
 * SIGINT and SIGTERM handlers. Without them the JVM answers SIGTERM by running shutdown hooks and exiting
 * with 143; with them the node stops like any other clean stop and the command returns 0.
 */
final class Signals {
    private Signals() {}

    @SuppressWarnings("removal")
    static void onTerminate(Runnable action) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal ->
                        new Thread(action, "tandem-signal-" + name.toLowerCase()).start());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // This platform does not let us handle the signal: the shutdown hook still closes the node.
            }
        }
    }
}
