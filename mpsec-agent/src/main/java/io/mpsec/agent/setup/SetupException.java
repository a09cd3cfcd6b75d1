package io.mpsec.agent.setup;

/**
 * Setup refused or failed; the message says what was wrong, what was (or was not) changed and what to
 * do. Refusals ({@link #changedNothing()}) happen before the first change.
 */
public final class SetupException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean changedNothing;

    public SetupException(String message, boolean changedNothing) {
        super(message);
        this.changedNothing = changedNothing;
    }

    public SetupException(String message, boolean changedNothing, Throwable cause) {
        super(message, cause);
        this.changedNothing = changedNothing;
    }

    /** Whether the kernel state is as it was before the run (a refusal, or a complete rollback). */
    public boolean changedNothing() {
        return changedNothing;
    }
}
