package io.tandem.core.quorum;

import io.tandem.core.model.NodeId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Which replicas must acknowledge a write before the leader reports it committed. What each policy
 * commits is defined, as a table, in {@link QuorumMath}; this type holds the choice and its
 * configuration text.
 *
 * <p>The text form ({@link #parse}, and every {@code toString()}, which {@code parse} reads back):
 * <pre>
 *   async                    the leader alone
 *   semi-sync K              any K replicas, voting or not
 *   quorum                   a majority of the voters, the leader being one
 *   all                      every replica
 *   first K (n1, n2, n3)     the first K connected standbys of the list, in list order
 *   any K (n1, n2, n3)       any K standbys of the list
 * </pre>
 * {@code first} and {@code any} follow PostgreSQL's {@code synchronous_standby_names} FIRST and ANY.
 * Keywords are case-insensitive; names are exact. A policy with K &lt; 1, an empty list, K larger than
 * the list, or a name listed twice cannot be built.
 */
public sealed interface AckPolicy
        permits AckPolicy.Async, AckPolicy.SemiSync, AckPolicy.Quorum, AckPolicy.All, AckPolicy.First,
                AckPolicy.Any {

    /**
     * Reads the configuration text of a policy.
     *
     * @throws IllegalArgumentException quoting the text and saying what is wrong with it
     */
    static AckPolicy parse(String text) {
        return AckPolicyParser.parse(text);
    }

    /** Committed once the leader has it durable; replicas catch up when they can. */
    record Async() implements AckPolicy {
        @Override
        public String toString() {
            return "async";
        }
    }

    /** Committed once any {@code k} replicas, voting or not, acknowledge (MySQL's semi-sync, Redis WAIT). */
    record SemiSync(int k) implements AckPolicy {
        public SemiSync {
            checkK(k);
        }

        @Override
        public String toString() {
            return "semi-sync " + k;
        }
    }

    /** Committed once a majority of the voters, the leader counted as one, acknowledge (Raft). */
    record Quorum() implements AckPolicy {
        @Override
        public String toString() {
            return "quorum";
        }
    }

    /** Committed once every replica acknowledges. */
    record All() implements AckPolicy {
        @Override
        public String toString() {
            return "all";
        }
    }

    /**
     * Committed once the first {@code k} connected standbys of the list, in list order, all acknowledge
     * (PostgreSQL's {@code FIRST k (...)}): the list is a priority order.
     */
    record First(int k, List<NodeId> standbys) implements AckPolicy {
        public First {
            standbys = checkedStandbys(k, standbys);
        }

        @Override
        public String toString() {
            return "first " + k + " " + listText(standbys);
        }
    }

    /** Committed once any {@code k} standbys of the list acknowledge (PostgreSQL's {@code ANY k (...)}). */
    record Any(int k, List<NodeId> standbys) implements AckPolicy {
        public Any {
            standbys = checkedStandbys(k, standbys);
        }

        @Override
        public String toString() {
            return "any " + k + " " + listText(standbys);
        }
    }

    private static void checkK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("K must be at least 1, got " + k);
        }
    }

    /** An immutable copy of a standby list that K can be taken from, each name once. */
    private static List<NodeId> checkedStandbys(int k, List<NodeId> standbys) {
        checkK(k);
        List<NodeId> copy = List.copyOf(standbys);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("the standby list is empty");
        }
        if (k > copy.size()) {
            throw new IllegalArgumentException("K is " + k + " but the list names only " + copy.size()
                    + (copy.size() == 1 ? " standby" : " standbys"));
        }
        Set<NodeId> seen = new HashSet<>();
        for (NodeId name : copy) {
            if (!seen.add(name)) {
                throw new IllegalArgumentException("standby " + name + " is listed twice");
            }
        }
        return copy;
    }

    private static String listText(List<NodeId> standbys) {
        StringJoiner joiner = new StringJoiner(", ", "(", ")");
        for (NodeId name : standbys) {
            joiner.add(name.name());
        }
        return joiner.toString();
    }
}
