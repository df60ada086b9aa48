package io.tandem.core.protocol;

/**
 * An opaque handle for the client a reply goes to. The runtime passes its connection object; the
 * simulator passes its simulated client. The core never looks inside.
 */
public interface ClientRef {}
