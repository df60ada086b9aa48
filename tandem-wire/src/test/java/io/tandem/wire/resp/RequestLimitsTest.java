package io.tandem.wire.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RequestLimitsTest {

    @Test
    void defaultsAreRedis7s() {
        RequestLimits limits = RequestLimits.defaults();
        assertEquals(512 * 1024 * 1024, limits.maxBulkBytes());
        assertEquals(1_048_576, limits.maxArgs());
        assertEquals(65_536, limits.maxInlineBytes());
        assertEquals(1L << 30, limits.maxRequestBytes());
        assertEquals(10, limits.unauthMaxArgs());
        assertEquals(16_384, limits.unauthMaxBulkBytes());
        assertEquals(1L << 20, limits.unauthMaxBufferedBytes());
    }

    @Test
    void theLimitsInForceDependOnAuthentication() {
        RequestLimits limits = RequestLimits.defaults();
        assertEquals(1_048_576, limits.argsLimit(true));
        assertEquals(10, limits.argsLimit(false));
        assertEquals(16_384, limits.bulkBytesLimit(false));
        assertEquals(1L << 20, limits.requestBytesLimit(false));
    }

    @Test
    void refusesNonPositiveLimitsNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RequestLimits(0, 10, 10, 10, 1, 1, 1));
        assertEquals("maxBulkBytes must be positive, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RequestLimits(10, 10, 10, 10, 1, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> new RequestLimits(10, 10, 10, 0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new RequestLimits(10, 10, 0, 10, 1, 1, 1));
    }

    @Test
    void refusesUnauthenticatedLimitsAboveTheAuthenticatedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RequestLimits(10, 10, 10, 10, 11, 1, 1));
        assertEquals("unauthMaxArgs must be at most maxArgs (10), got 11", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RequestLimits(10, 10, 10, 10, 1, 11, 1));
        assertThrows(IllegalArgumentException.class, () -> new RequestLimits(10, 10, 10, 10, 1, 1, 11));
        new RequestLimits(10, 10, 10, 10, 10, 10, 10); // equal is fine
    }

    @Test
    void refusesABulkLimitNoJavaArrayCanHold() {
        assertThrows(IllegalArgumentException.class,
                () -> new RequestLimits(Integer.MAX_VALUE, 10, 10, Long.MAX_VALUE, 1, 1, 1));
    }
}
