package io.tandem.sim.sim;

import io.tandem.core.model.Entry;
import io.tandem.core.model.Event;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.Input;
import java.util.List;

/**
 * What one step of a node did, for the checkers. {@code input} is null for a role transition (start or
 * restart).
 */
public record StepRecord(Input input, List<Entry> persisted, List<ReleasedReply> replies, List<Event> events) {

    /** A reply the node handed out in this step, with the request it answers (null if not tracked). */
    public record ReleasedReply(ReplyTarget client, long requestId, Reply reply, AcceptedRequest request) {}
}
