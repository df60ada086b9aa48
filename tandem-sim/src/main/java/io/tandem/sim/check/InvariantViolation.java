package io.tandem.sim.check;

/** A checker found the system breaking one of its promises. {@code invariant} names the promise. */
public final class InvariantViolation extends RuntimeException {
    private final String invariant;

    public InvariantViolation(String invariant, String detail) {
        super(invariant + ": " + detail);
        this.invariant = invariant;
    }

    public String invariant() {
        return invariant;
    }
}
