package io.mpsec.agent.doctor;

import java.util.Locale;

/** The verdict of one finding. Only {@link #FAIL} makes {@code mpsec-agent doctor} exit with 1. */
public enum Status {
    /** As MPSec needs it. */
    OK,
    /** Works, but something is likely to go wrong or be missed; the finding says what to change. */
    WARN,
    /** MPSec cannot work as configured here until the finding's action is taken. */
    FAIL,
    /** For information only (for example a feature MPSec does not provide yet). */
    INFO;

    /** The name used in the text and JSON output: {@code ok}, {@code warn}, {@code fail}, {@code info}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
