package io.tandem.cli;

import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * One line per log record on stderr: time, level, logger, message.
 *
 * <p>java.util.logging's own shutdown hook resets every handler while other hooks still run, so the
 * node's "stopped" line (and any warning during shutdown) would be lost. {@link QuietLogManager} ignores
 * that reset; the command resets it itself once the node has stopped.
 */
final class Logging {
    private Logging() {}

    /** Must run before anything touches java.util.logging (the first line of main). */
    static void configure() {
        System.setProperty("java.util.logging.manager", QuietLogManager.class.getName());
        System.setProperty("java.util.logging.SimpleFormatter.format",
                "%1$tF %1$tT.%1$tL %4$-7s %3$s: %5$s%6$s%n");
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        java.util.logging.ConsoleHandler handler = new java.util.logging.ConsoleHandler();
        handler.setFormatter(new java.util.logging.SimpleFormatter());
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        // Netty logs through JUL too; its debug chatter stays off.
        Logger.getLogger("io.netty").setLevel(Level.WARNING);
    }

    /** Flushes and closes the handlers, after the node's last words. */
    static void shutdown() {
        if (LogManager.getLogManager() instanceof QuietLogManager quiet) {
            quiet.resetNow();
        }
    }

    /**
     * A LogManager whose reset() does nothing when the JVM's logging shutdown hook (the thread
     * LogManager$Cleaner) calls it; see the class comment. Other resets behave as usual.
     */
    public static final class QuietLogManager extends LogManager {
        @Override
        public void reset() {
            if (!Thread.currentThread().getClass().getName().equals("java.util.logging.LogManager$Cleaner")) {
                super.reset();
            }
        }

        void resetNow() {
            super.reset();
        }
    }
}
