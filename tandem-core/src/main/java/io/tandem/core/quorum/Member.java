package io.tandem.core.quorum;

/**
 * What the leader knows about one replica when it asks what is committed: whether it votes in elections
 * (only voters count toward {@code quorum}), whether it is connected now (only {@code first K} cares: it
 * picks among connected standbys, as PostgreSQL does), and the highest LSN it has acknowledged at each
 * level.
 *
 * <p>The three LSNs come from separate reports and are taken as they are: nothing here assumes that
 * received &ge; durable &ge; applied, and nothing derives one level from another (an applied LSN above the
 * durable one does not make the entry durable for the policy's arithmetic). 0 means "nothing yet".
 */
public record Member(boolean voting, boolean connected, long receivedLsn, long durableLsn, long appliedLsn) {

    public Member {
        if (receivedLsn < 0 || durableLsn < 0 || appliedLsn < 0) {
            throw new IllegalArgumentException("acknowledged LSNs cannot be negative: received=" + receivedLsn
                    + " durable=" + durableLsn + " applied=" + appliedLsn);
        }
    }

    /** The highest LSN this replica has acknowledged at {@code level}. */
    public long lsn(AckLevel level) {
        return switch (level) {
            case RECEIVED -> receivedLsn;
            case DURABLE -> durableLsn;
            case APPLIED -> appliedLsn;
        };
    }
}
