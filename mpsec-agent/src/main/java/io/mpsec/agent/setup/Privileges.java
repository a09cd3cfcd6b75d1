package io.mpsec.agent.setup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this process may change network settings: CAP_NET_ADMIN in its effective set. */
final class Privileges {
    /** {@code CAP_NET_ADMIN}, include/uapi/linux/capability.h. */
    static final int CAP_NET_ADMIN = 12;

    private Privileges() {
    }

    static void requireNetAdmin() throws SetupException {
        long eff;
        try {
            eff = effective(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException e) {
            throw new SetupException("cannot read /proc/self/status to check CAP_NET_ADMIN: " + e.getMessage()
                    + ". Nothing was changed.", true, e);
        }
        if ((eff & (1L << CAP_NET_ADMIN)) == 0) {
            throw new SetupException("setup needs root (CAP_NET_ADMIN) to change sysctls, MPTCP endpoints, routes and IPsec "
                    + "policies; this process has " + ("0".equals(System.getProperty("user.name")) ? "" : "user "
                    + System.getProperty("user.name") + " and ") + "no CAP_NET_ADMIN. Run it with sudo. Nothing was changed.", true);
        }
    }

    /** The CapEff bits of a /proc/PID/status text. */
    static long effective(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring(7).trim(), 16);
            }
        }
        return 0;
    }
}
