package io.mpsec.agent.config;

import java.net.InetAddress;

/** Address literals for tests in other packages (never a DNS lookup). */
public final class ConfigTestAccess {
    private ConfigTestAccess() {
    }

    public static InetAddress address(String literal) {
        return Addresses.literal(literal).orElseThrow();
    }
}
