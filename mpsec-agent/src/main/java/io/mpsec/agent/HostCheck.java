package io.mpsec.agent;

import java.util.Locale;
import java.util.Set;

/**
 * The Host header check of a loopback server, against DNS rebinding: a page from another origin whose
 * name was re-pointed at 127.0.0.1 sends its own name in Host, so only the loopback names with this
 * server's port are accepted ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}).
 */
final class HostCheck {
    private final Set<String> allowed;

    private HostCheck() {
        allowed = null;
    }

    /**
     * A check that accepts any Host: for application handlers behind {@code AuthHandler}, which has
     * already checked the Host (loopback binds) or the token (other binds).
     */
    static HostCheck anyHost() {
        return new HostCheck();
    }

    HostCheck(int port) {
        String p = ":" + port;
        allowed = port == 80 ? Set.of("localhost" + p, "127.0.0.1" + p, "[::1]" + p, "localhost", "127.0.0.1", "[::1]")
                : Set.of("localhost" + p, "127.0.0.1" + p, "[::1]" + p);
    }

    /** Whether {@code host} (the Host header, {@code null} when absent) names this server on loopback. */
    boolean allows(String host) {
        return allowed == null || host != null && allowed.contains(host.trim().toLowerCase(Locale.ROOT));
    }
}
