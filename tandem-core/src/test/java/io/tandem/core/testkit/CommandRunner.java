package io.tandem.core.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.core.keyspace.CommandContext;
import io.tandem.core.keyspace.CommandExecutor;
import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Reply;
import io.tandem.core.util.Ascii;
import java.util.List;
import java.util.Random;

/**
 * Runs commands as the leader does: {@code ctx.begin(now)}, {@link CommandExecutor#execute}, then takes
 * the effects the command emitted. Commands are written as text split on single spaces.
 */
public final class CommandRunner {
    /** A realistic clock value, a whole number of seconds so that EXAT arithmetic stays readable. */
    public static final long T0 = 1_700_000_000_000L;

    public final Keyspace keyspace;
    public final CommandContext ctx;
    private long nowMillis = T0;
    private List<Effect> lastEffects = List.of();

    public CommandRunner(long seed) {
        keyspace = new Keyspace(1);
        ctx = new CommandContext(keyspace, new Random(seed));
    }

    public CommandRunner at(long nowMillis) {
        this.nowMillis = nowMillis;
        return this;
    }

    public long now() {
        return nowMillis;
    }

    public Reply execute(byte[]... args) {
        ctx.begin(nowMillis);
        Reply reply = CommandExecutor.execute(ctx, args);
        lastEffects = ctx.takeEffects();
        return reply;
    }

    /** Runs "SET k v" style text and shows the reply (see {@link Show#reply}). */
    public String run(String command) {
        return Show.reply(execute(args(command)));
    }

    /** The effects of the last command, shown. */
    public List<String> effects() {
        return Show.effects(lastEffects);
    }

    public List<Effect> rawEffects() {
        return lastEffects;
    }

    public static byte[][] args(String command) {
        String[] words = command.split(" ", -1);
        byte[][] args = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            args[i] = Ascii.bytes(words[i]);
        }
        return args;
    }

    /**
     * Runs a script of rows {command, expected reply} or {command, expected reply, expected effects}
     * (effects shown and joined by "; ", "" for none), in order, on this runner.
     */
    public void script(String[][] rows) {
        for (int i = 0; i < rows.length; i++) {
            String[] row = rows[i];
            String where = "row " + i + ": " + row[0];
            assertEquals(row[1], run(row[0]), where);
            if (row.length > 2) {
                assertEquals(row[2], String.join("; ", effects()), where + " (effects)");
            }
        }
    }
}
