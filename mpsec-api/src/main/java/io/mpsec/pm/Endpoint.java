package io.mpsec.pm;

import java.net.InetAddress;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * An in-kernel path-manager endpoint: one local address with the flags telling the kernel how to use
 * it ({@code ip mptcp endpoint}).
 *
 * @param id endpoint id 1..255, or 0 to let the kernel choose when adding
 * @param address the local address
 * @param port a port for SIGNAL endpoints (the peer connects to it), 0 for none
 * @param flags how the path manager uses the address
 * @param ifIndex interface index the endpoint is bound to, 0 for none
 */
public record Endpoint(int id, InetAddress address, int port, Set<EndpointFlag> flags, int ifIndex) {
    public Endpoint {
        Objects.requireNonNull(address, "address");
        if (id < 0 || id > 255) {
            throw new IllegalArgumentException("endpoint id must be 0..255 (0: chosen by the kernel), got " + id);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("endpoint port must be 0..65535, got " + port);
        }
        if (ifIndex < 0) {
            throw new IllegalArgumentException("interface index must be >= 0, got " + ifIndex);
        }
        flags = java.util.Collections.unmodifiableSet(flags.isEmpty() ? EnumSet.noneOf(EndpointFlag.class) : EnumSet.copyOf(flags));
    }

    /** An endpoint with a kernel-chosen id, no port and no interface. */
    public static Endpoint of(InetAddress address, EndpointFlag... flags) {
        return new Endpoint(0, address, 0, flags.length == 0 ? Set.of() : EnumSet.of(flags[0], flags), 0);
    }

    public Endpoint withId(int newId) {
        return new Endpoint(newId, address, port, flags, ifIndex);
    }

    public Endpoint withPort(int newPort) {
        return new Endpoint(id, address, newPort, flags, ifIndex);
    }

    public Endpoint withIfIndex(int newIfIndex) {
        return new Endpoint(id, address, port, flags, newIfIndex);
    }

    public Endpoint withFlags(Set<EndpointFlag> newFlags) {
        return new Endpoint(id, address, port, newFlags, ifIndex);
    }

    public boolean has(EndpointFlag f) {
        return flags.contains(f);
    }
}
