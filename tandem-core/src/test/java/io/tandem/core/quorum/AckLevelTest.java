package io.tandem.core.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Ack levels: their configuration text both ways, and which LSN of a member each one reads. */
class AckLevelTest {

    @Test
    void parse() {
        Object[][] cases = {
            {"received", AckLevel.RECEIVED},
            {"durable", AckLevel.DURABLE},
            {"applied", AckLevel.APPLIED},
            {"RECEIVED", AckLevel.RECEIVED},
            {"Durable", AckLevel.DURABLE},
            {"aPpLiEd", AckLevel.APPLIED},
            {"  durable\t", AckLevel.DURABLE},
        };
        for (Object[] c : cases) {
            assertEquals(c[1], AckLevel.parse((String) c[0]), (String) c[0]);
        }
    }

    @Test
    void parseErrorsNameTheAllowedValues() {
        String[][] cases = {
            {"", "unknown ack level \"\"; expected one of: received, durable, applied"},
            {"on", "unknown ack level \"on\"; expected one of: received, durable, applied"},
            {"remote_apply", "unknown ack level \"remote_apply\"; expected one of: received, durable, applied"},
            {"durable!", "unknown ack level \"durable!\"; expected one of: received, durable, applied"},
            // a Turkish dotless i upper-cases to I, but it is not the ASCII word
            {"applıed", "unknown ack level \"applıed\"; expected one of: received, durable, applied"},
            {null, "unknown ack level null; expected one of: received, durable, applied"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AckLevel.parse(c[0]));
            assertEquals(c[1], e.getMessage());
        }
    }

    @Test
    void roundTrip() {
        for (AckLevel level : AckLevel.values()) {
            assertEquals(level, AckLevel.parse(level.toString()));
        }
        assertEquals("received", AckLevel.RECEIVED.toString());
    }

    @Test
    void memberLsnPerLevelIsTakenAsReported() {
        // out of order across levels on purpose: applied above received
        Member member = new Member(true, true, 3, 5, 9);
        assertEquals(3, member.lsn(AckLevel.RECEIVED));
        assertEquals(5, member.lsn(AckLevel.DURABLE));
        assertEquals(9, member.lsn(AckLevel.APPLIED));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Member(true, true, 1, -1, 0));
        assertEquals("acknowledged LSNs cannot be negative: received=1 durable=-1 applied=0", e.getMessage());
    }
}
