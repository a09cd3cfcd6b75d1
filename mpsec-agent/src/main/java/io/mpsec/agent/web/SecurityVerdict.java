package io.mpsec.agent.web;

import java.util.Locale;

/** The protection of one interface over the last second, from {@link PacketSecuritySource} counter differences. */
public enum SecurityVerdict {
    /** Only ESP moved. */
    ESP,
    /** Only cleartext moved. */
    CLEARTEXT,
    /** Both moved. */
    MIXED,
    /** Counted, but nothing moved. */
    IDLE,
    /** Not counted (no source, or this interface is not in it). */
    UNKNOWN;

    /** The verdict for {@code esp} ESP packets and {@code clear} cleartext packets in the interval ({@code null}: not counted). */
    static SecurityVerdict of(Long esp, Long clear) {
        if (esp == null || clear == null) {
            return UNKNOWN;
        }
        if (esp > 0) {
            return clear > 0 ? MIXED : ESP;
        }
        return clear > 0 ? CLEARTEXT : IDLE;
    }

    /** The lower-case name used in JSON and in the page. */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
