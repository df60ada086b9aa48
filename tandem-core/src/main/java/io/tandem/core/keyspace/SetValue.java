package io.tandem.core.keyspace;

import io.tandem.core.util.ByteKey;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/** A set of members, in insertion order; copied before change when a snapshot shares it (see epoch). */
public final class SetValue {
    final LinkedHashSet<ByteKey> members;
    final int epoch;

    SetValue(int epoch) {
        this(new LinkedHashSet<>(), epoch);
    }

    private SetValue(LinkedHashSet<ByteKey> members, int epoch) {
        this.members = members;
        this.epoch = epoch;
    }

    SetValue copy(int newEpoch) {
        return new SetValue(new LinkedHashSet<>(members), newEpoch);
    }

    public int size() {
        return members.size();
    }

    public boolean contains(byte[] member) {
        return members.contains(new ByteKey(member));
    }

    /** Read-only view, in insertion order. */
    public Set<ByteKey> members() {
        return Collections.unmodifiableSet(members);
    }
}
