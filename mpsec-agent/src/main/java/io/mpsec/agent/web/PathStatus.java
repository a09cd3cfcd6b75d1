package io.mpsec.agent.web;

import java.util.Locale;

/** What the dashboard says about one path (interface); see {@link PathTracker} for the rules. */
public enum PathStatus {
    /** Up and moving traffic (or loopback). */
    UP,
    /** Up, nothing received or sent for a few seconds. */
    IDLE,
    /** Up, but it stopped receiving while this host kept sending and another path still receives: a suspected blackhole. */
    SILENT,
    /** Administratively down or without carrier. */
    DOWN;

    /** Whether the page marks the path as down (it cannot carry traffic now). */
    public boolean broken() {
        return this == SILENT || this == DOWN;
    }

    /** The lower-case name used in JSON and in the page. */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
