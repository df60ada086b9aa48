package io.tandem.sim.check;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** Which {@link KnownBug}s a run tolerates, and how often each was hit (a tolerated bug is still counted). */
public final class KnownBugs {
    /** Makes a fresh KnownBugs per run (hits are counted per run). */
    @FunctionalInterface
    public interface Factory {
        KnownBugs create();
    }

    private final Set<KnownBug> tolerated;
    private final Map<KnownBug, Long> hits = new EnumMap<>(KnownBug.class);

    private KnownBugs(Set<KnownBug> tolerated) {
        this.tolerated = tolerated;
    }

    public static KnownBugs none() {
        return new KnownBugs(EnumSet.noneOf(KnownBug.class));
    }

    public static KnownBugs all() {
        return new KnownBugs(EnumSet.allOf(KnownBug.class));
    }

    /** Every known bug but one tolerated: does a run hit that one? */
    public static KnownBugs allBut(KnownBug strict) {
        EnumSet<KnownBug> tolerated = EnumSet.allOf(KnownBug.class);
        tolerated.remove(strict);
        return new KnownBugs(tolerated);
    }

    /** All known bugs tolerated, unless -Dtandem.sim.strict=true. */
    public static KnownBugs fromSystemProperties() {
        return Boolean.getBoolean("tandem.sim.strict") ? none() : all();
    }

    public boolean tolerates(KnownBug bug) {
        return tolerated.contains(bug);
    }

    public void hit(KnownBug bug) {
        hits.merge(bug, 1L, Long::sum);
    }

    public Map<KnownBug, Long> hits() {
        return Map.copyOf(hits);
    }
}
