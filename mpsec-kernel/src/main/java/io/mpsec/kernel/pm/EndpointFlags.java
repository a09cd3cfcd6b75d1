package io.mpsec.kernel.pm;

import io.mpsec.pm.EndpointFlag;
import java.util.EnumSet;
import java.util.Set;

/** Translates {@link EndpointFlag}s to and from the kernel's MPTCP_PM_ADDR_FLAG_* bits (mptcp.h). */
public final class EndpointFlags {
    private EndpointFlags() {
    }

    public static int bit(EndpointFlag f) {
        switch (f) {
            case SIGNAL: return MptcpPmUapi.FLAG_SIGNAL;
            case SUBFLOW: return MptcpPmUapi.FLAG_SUBFLOW;
            case BACKUP: return MptcpPmUapi.FLAG_BACKUP;
            case FULLMESH: return MptcpPmUapi.FLAG_FULLMESH;
            case IMPLICIT: return MptcpPmUapi.FLAG_IMPLICIT;
            case LAMINAR: return MptcpPmUapi.FLAG_LAMINAR;
            default: throw new AssertionError(f);
        }
    }

    public static int bits(Set<EndpointFlag> flags) {
        int b = 0;
        for (EndpointFlag f : flags) {
            b |= bit(f);
        }
        return b;
    }

    /** The flags in {@code bits}; bits MPSec does not know are ignored (see {@link #unknownBits}). */
    public static Set<EndpointFlag> flags(int bits) {
        EnumSet<EndpointFlag> s = EnumSet.noneOf(EndpointFlag.class);
        for (EndpointFlag f : EndpointFlag.values()) {
            if ((bits & bit(f)) != 0) {
                s.add(f);
            }
        }
        return s;
    }

    public static int unknownBits(int bits) {
        return bits & ~bits(EnumSet.allOf(EndpointFlag.class));
    }
}
