package io.tandem.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The child nodes one test started: every one is killed after the test, whatever happened, and when the
 * test fails their transcripts are printed (surefire keeps them in target/surefire-reports/*-output.txt).
 * Register with {@code @RegisterExtension final ChildNodes nodes = new ChildNodes();}.
 */
final class ChildNodes implements AfterEachCallback, TestWatcher {
    private final List<NodeProcess> started = new ArrayList<>();

    synchronized NodeProcess launch(String name, Path dataDir, String... args) throws IOException {
        NodeProcess node = NodeProcess.launch(name, dataDir, args);
        started.add(node);
        return node;
    }

    /**
     * Starts the three nodes of {@code set} side by side (n1 in {@code dir}/n1, ...), each with {@code args}
     * after its own flags, and waits until every one is ready.
     */
    NodeProcess[] startReplicaSet(ReplicaSetArgs set, Path dir, String... args) throws IOException {
        NodeProcess[] nodes = new NodeProcess[ReplicaSetArgs.SIZE];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = launch(ReplicaSetArgs.name(i), dir.resolve(ReplicaSetArgs.name(i)), set.node(i, args));
        }
        for (NodeProcess node : nodes) {
            node.awaitReady();
        }
        return nodes;
    }

    NodeProcess start(String name, Path dataDir, String... args) throws IOException {
        NodeProcess node = launch(name, dataDir, args);
        node.awaitReady();
        return node;
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) {
        for (NodeProcess node : started) {
            node.destroyForcibly();
        }
    }

    @Override
    public synchronized void testFailed(ExtensionContext context, Throwable cause) {
        StringBuilder dump = new StringBuilder("==== " + context.getDisplayName() + " failed; child node output:\n");
        for (NodeProcess node : started) {
            dump.append(node.transcript());
        }
        System.out.println(dump);
    }
}
