package io.mpsec.ipsec.inspect;

import java.util.Locale;

/** What the traffic between the configured peers on an interface was, over a window. */
public enum TrafficVerdict {
    /** Only ESP moved between the peers. */
    ESP,
    /** Something moved between the peers in clear (TCP or another protocol). */
    CLEARTEXT,
    /** Nothing moved between the peers: no evidence either way. */
    UNKNOWN;

    /** The lower-case name used in metric tags. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
