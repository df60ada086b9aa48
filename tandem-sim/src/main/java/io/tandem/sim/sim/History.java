package io.tandem.sim.sim;

import io.tandem.core.model.Entry;
import io.tandem.core.model.Reply;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every client operation of a run, in invocation order: what the checkers read to find acknowledged writes
 * and what a failure prints. Request ids are unique in the run (not per client), so a node's reply names
 * its operation alone.
 */
public final class History {
    private final List<Operation> operations = new ArrayList<>();
    private final Map<Long, Operation> byId = new HashMap<>();
    private long nextRequestId = 1;

    Operation invoke(String client, String node, Operation.Kind kind, String text, String token, long micros,
            List<byte[][]> commands) {
        Operation op = new Operation(nextRequestId++, client, node, kind, text, token, micros);
        op.commands(commands);
        operations.add(op);
        byId.put(op.requestId(), op);
        return op;
    }

    void complete(long requestId, Reply reply, long micros) {
        Operation op = byId.get(requestId);
        if (op != null && op.reply() == null) {
            op.complete(reply, micros);
        }
    }

    void timeOut(long requestId) {
        Operation op = byId.get(requestId);
        if (op != null) {
            op.timeOut();
        }
    }

    void served(long requestId, boolean byLeader) {
        Operation op = byId.get(requestId);
        if (op != null) {
            op.served(byLeader);
        }
    }

    void logged(long requestId, Entry entry) {
        Operation op = byId.get(requestId);
        if (op != null) {
            op.logged(entry);
        }
    }

    public List<Operation> operations() {
        return Collections.unmodifiableList(operations);
    }

    public Operation get(long requestId) {
        return byId.get(requestId);
    }

    /** The last {@code n} operations, one per line. */
    public String tail(int n) {
        StringBuilder text = new StringBuilder();
        for (int i = Math.max(0, operations.size() - n); i < operations.size(); i++) {
            text.append("  ").append(operations.get(i)).append('\n');
        }
        return text.toString();
    }
}
