package io.tandem.server.config;

import java.util.List;

/**
 * One configuration key: its name (as in the config file, on the command line as --name, and in the
 * environment as TANDEM_NAME with dashes as underscores), default, documentation, and whether CONFIG SET
 * may change it while the node runs. {@link ConfigKeys#ALL} is the single list the loader, CONFIG GET and
 * docs/configuration.md are checked against.
 */
public record ConfigKey(String name, String defaultValue, String description, boolean runtimeSettable) {

    public String flag() {
        return "--" + name;
    }

    public String environmentVariable() {
        return "TANDEM_" + name.toUpperCase().replace('-', '_');
    }

    public static List<ConfigKey> all() {
        return ConfigKeys.ALL;
    }
}
