package io.mpsec.agent.config;

import io.mpsec.pm.EndpointFlag;
import java.net.InetAddress;
import java.util.Set;

/**
 * One entry of {@code interfaces}: an interface that carries a path.
 *
 * @param name          the interface name (1..15 characters)
 * @param address       the local address to use, or {@code null} for the interface's own (its only
 *                      IPv4 address, else its only global IPv6 address)
 * @param endpoint      the MPTCP endpoint to add for it, or {@code null} for none
 * @param sourceRouting the routing table for replies from its address, or {@code null} for none
 */
public record InterfaceSettings(String name, InetAddress address, Endpoint endpoint, SourceRouting sourceRouting) {

    /**
     * An in-kernel path-manager endpoint.
     *
     * @param id    the endpoint id 1..255, or 0 to let the kernel choose
     * @param flags signal, subflow, backup, fullmesh
     */
    public record Endpoint(int id, Set<EndpointFlag> flags) {
        public Endpoint {
            flags = Set.copyOf(flags);
        }
    }

    /**
     * Source routing: {@code ip rule add from ADDRESS table TABLE} and, in TABLE, the interface's
     * subnet via the interface plus a default route via {@code gateway} when given.
     *
     * @param table   routing table 1..2^31-1 except 253 (default), 254 (main), 255 (local)
     * @param gateway the next hop for the default route in the table, or {@code null}
     */
    public record SourceRouting(long table, InetAddress gateway) {
    }
}
