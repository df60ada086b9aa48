package io.tandem.server.agent;

/** Facts about a node fixed at start-up, shown by INFO and the status API. */
public record NodeFacts(String runId, String configFile, String dataDir, String transport) {}
