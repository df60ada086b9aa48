package io.tandem.core.protocol;

import io.tandem.core.model.Entry;
import io.tandem.core.model.Reply;

/**
 * What a step asks the runtime to do. The runtime carries these out after the step returns, in order:
 * entries go to the write-ahead log, replies to their clients. A reply is handed out only when what it
 * shows is durable, so the runtime never holds replies back itself.
 */
public interface Output {
    /** Append to the local log (the runtime batches appends into one write and fsync). */
    void persist(Entry entry);

    void reply(ClientRef client, long requestId, Reply reply);
}
