package io.tandem.wire.peer;

/**
 * The peer port's framing, shared by {@link PeerFrameEncoder} and {@link PeerFrameDecoder}:
 *
 * <pre>
 * frame   = length:u32  version:u8  type:u8  body        (big-endian; length counts version..body)
 * body    = term:u64  from:str  fields...                 (every message carries the sender's term)
 * str     = length:u16  utf8
 * entries = count:u32  (term:u64 lsn:u64 payloadLength:u32 payload)*   (payload: EntryCodec)
 *
 * type 1 Subscribe       lastLsn:u64 lastTerm:u64 announce:str
 * type 2 AppendRequest   prevLsn:u64 prevTerm:u64 commitLsn:u64 leaderTimeMillis:u64 announce:str directory:str
 *                        entries readRound:u64 relayCount:u8 (relay:str)* ackOnReceipt:u8
 * type 3 AppendResponse  matched:u8 lastLsn:u64 receivedLsn:u64 durableLsn:u64 appliedLsn:u64
 *                        count:u16 (replica:str receivedLsn:u64 durableLsn:u64 appliedLsn:u64 announce:str
 *                        leaderMillis:u64 via:str)* snapshotLsn:u64 readRound:u64 leaderMillis:u64
 * type 4 SnapshotChunk   snapshotLsn:u64 snapshotTerm:u64 offset:u64 totalBytes:u64 crc32c:u32 length:u32 data
 * type 5 SnapshotAck     snapshotLsn:u64 nextOffset:u64 failed:u8
 * type 6 VoteRequest     lastLsn:u64 lastTerm:u64 preVote:u8 transfer:u8
 * type 7 VoteResponse    granted:u8 preVote:u8
 * type 8 TimeoutNow      (nothing but the header's term and sender)
 * </pre>
 *
 * A u8 flag is 0 or 1; anything else is refused (a flag that decodes as "granted" by accident would be a
 * vote nobody cast).
 *
 * A frame of another version is refused with an error naming both versions, so a mixed-version cluster
 * fails loudly instead of misreading bytes.
 */
final class PeerFrames {
    private PeerFrames() {}

    /**
     * 2: AppendResponse carries the positions a follower relays for its own followers (cascading).
     * 3: VoteRequest and VoteResponse (elections); a version-2 node would drop the connection on them.
     *    AppendResponse ends with the follower's snapshot LSN (where it can compare entries) and both
     *    AppendRequest and AppendResponse with the read round (read-index confirmations of leadership).
     *    TimeoutNow, and VoteRequest's transfer flag (switchover).
     * 4: AppendResponse (and each relayed position) echoes the leader's send time: the leadership lease.
     * 5: AppendRequest ends with the relays the stream passed through (loops of upstreams are refused).
     * 6: each relayed position in an AppendResponse ends with the relay that replica streams from ("" for the
     *    answering one).
     * 7: AppendRequest ends with ackOnReceipt: the leader counts acknowledgements at level received, so the
     *    follower answers before its entries are durable (it used to go by its own ack-level).
     */
    static final int VERSION = 7;
    static final int HEADER_BYTES = 4;
    static final int SUBSCRIBE = 1;
    static final int APPEND_REQUEST = 2;
    static final int APPEND_RESPONSE = 3;
    static final int SNAPSHOT_CHUNK = 4;
    static final int SNAPSHOT_ACK = 5;
    static final int VOTE_REQUEST = 6;
    static final int VOTE_RESPONSE = 7;
    static final int TIMEOUT_NOW = 8;
}
