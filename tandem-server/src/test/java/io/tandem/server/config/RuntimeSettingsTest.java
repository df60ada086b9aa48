package io.tandem.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What CONFIG SET may change agrees everywhere it is stated: the key's {@code runtimeSettable} flag, what
 * {@link RuntimeSettings#set} accepts, what CONFIG GET shows, and the "CONFIG SET" column of
 * docs/configuration.md.
 */
class RuntimeSettingsTest {
    private final RuntimeSettings settings = new RuntimeSettings(NodeConfigLoader.load(Map.of(), Map.of(), null));

    @Test
    void everyKeyMarkedRuntimeSettableIsShownAndTakesItsCurrentValueBackAndNoOtherIsSettable() {
        Map<String, String> shown = settings.all(7379);
        for (ConfigKey key : ConfigKey.all()) {
            String refused = settings.set(key.name(), shown.getOrDefault(key.name(), key.defaultValue()));
            if (key.runtimeSettable()) {
                assertTrue(shown.containsKey(key.name()), "CONFIG GET does not show " + key.name());
                assertNull(refused, key.name() + " is runtime-settable, but CONFIG SET of its own value said: " + refused);
            } else {
                assertEquals("immutable", refused, key.name() + " is not runtime-settable");
            }
        }
    }

    @Test
    void theDocsSayWhichKeysConfigSetChanges() throws IOException {
        String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
        for (ConfigKey key : ConfigKey.all()) {
            String row = docs.lines().filter(line -> line.startsWith("| `" + key.name() + "` |")).findFirst()
                    .orElseThrow(() -> new AssertionError("docs/configuration.md has no row for " + key.name()));
            assertTrue(row.endsWith(key.runtimeSettable() ? "| yes |" : "| no |"), "docs/configuration.md says "
                    + (key.runtimeSettable() ? "no" : "yes") + " in the CONFIG SET column of " + key.name());
        }
    }

    @Test
    void theAcknowledgementSettingsAreParsedAndBoundedAsAtStart() {
        assertNull(settings.set("ack-policy", "first 1 (n2, n3)"));
        assertEquals("first 1 (n2, n3)", settings.all(7379).get("ack-policy"));
        assertNull(settings.set("min-replicas-max-lag", "3"));
        assertEquals(3000, settings.minReplicasMaxLagMillis(), "Redis's seconds");
        assertNull(settings.set("lag-alert-bytes", "1mb"));
        assertEquals(1 << 20, settings.lagAlertBytes());
        assertEquals("must be between 0 and 1000", settings.set("min-replicas-to-write", "1001"));
        settings.checkPoliciesWith(policy -> policy.toString().equals("all") ? "no, not all" : null);
        assertEquals("no, not all", settings.set("ack-policy", "all"));
        assertEquals("first 1 (n2, n3)", settings.ackPolicy().toString(), "a refused value changes nothing");
        settings.restore("ack-policy", "all");
        assertEquals("all", settings.ackPolicy().toString(), "putting back a value held a moment ago is not checked");
    }
}
