package io.tandem.storage.wal;

/** The result of recovery: a WAL ready to append after the last record, and what recovery found. */
public record Recovered(Wal wal, RecoveryReport report) {}
