package io.tandem.server.config;

/**
 * Pub/sub and the Sentinel API on the client port.
 *
 * @param sentinelMasterName   the master name SENTINEL commands and events use
 * @param maxSubscriptions     most channels plus patterns per connection
 * @param outputHardLimitBytes a subscriber with this much unsent output is disconnected at once (0: off)
 * @param outputSoftLimitBytes ... or with this much for {@code outputSoftSeconds} (0: off)
 */
public record PubSubSettings(String sentinelMasterName, int maxSubscriptions, long outputHardLimitBytes,
        long outputSoftLimitBytes, int outputSoftSeconds) {}
