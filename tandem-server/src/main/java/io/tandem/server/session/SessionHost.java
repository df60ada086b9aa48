package io.tandem.server.session;

import io.tandem.server.config.RuntimeSettings;
import io.tandem.server.net.ClientConnection;
import java.util.Collection;
import java.util.List;

/** What session commands need from the node that runs them. Implemented by the node's agent. */
public interface SessionHost {
    RuntimeSettings settings();

    /** The INFO text for these sections (lower case; empty = the default sections). */
    String info(List<String> sections);

    Collection<ClientConnection> clients();

    int boundPort();

    /** CONFIG RESETSTAT. */
    void resetStats();

    /** REPLICAOF host port (null host: NO ONE): the reply to give. */
    io.tandem.core.model.Reply replicaOf(String host, int port);

    /**
     * FAILOVER: hand leadership to the member announced at host:port (null host: the most current replica),
     * or with {@code abort} stop a switchover under way. The reply to give.
     */
    io.tandem.core.model.Reply failover(String host, int port, long timeoutMillis, boolean force, boolean abort);

    /** ROLE: this node's role in Redis's reply shape. */
    io.tandem.core.model.Reply role();

    /** BGSAVE: starts a snapshot; null when started, else the error text. */
    String bgsave();

    /** SHUTDOWN: stop the node cleanly, after this call returns. */
    void shutdown();

    /** After CONFIG SET changed something the runtime must act on (hz, limits). */
    void settingsChanged();

    /** The node's core, read on its thread (the Sentinel API answers from its view). */
    io.tandem.core.replicaset.ReplicaSetNode node();

    /** The node's thread: tasks given here run after the current one. */
    io.netty.channel.EventLoop loop();

    /** Writes out, at the end of this loop iteration, what was encoded for clients (pub/sub messages). */
    void scheduleCycleEnd();
}
