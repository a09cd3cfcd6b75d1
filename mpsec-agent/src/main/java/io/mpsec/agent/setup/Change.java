package io.mpsec.agent.setup;

import java.io.IOException;
import java.util.List;

/** One step of a plan: how it shows in the diff, how it is made, and how it is taken back. */
interface Change {
    /** The diff lines: {@code - old} and {@code + new}. */
    List<String> diff();

    void apply(Target t) throws IOException;

    /** Undoes {@link #apply} (called in reverse order when a later step fails). */
    void revert(Target t) throws IOException;
}
