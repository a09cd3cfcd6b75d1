package io.mpsec.metrics;

/** Tag names and values shared by the binders. */
final class Tags {
    /** The network namespace: its {@code ip netns} name, or {@link #HOST_NS} for the JVM's own. */
    static final String NETNS = "netns";
    /** The value of {@link #NETNS} for the namespace the JVM runs in. */
    static final String HOST_NS = "host";
    static final long NANOS_PER_READ = 250_000_000L;

    private Tags() {
    }

    static String netns(String name) {
        return name == null ? HOST_NS : name;
    }
}
