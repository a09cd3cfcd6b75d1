package io.mpsec.agent.config;

import java.util.List;
import java.util.Optional;

/**
 * The whole MPSec configuration file ({@code /etc/mpsec/mpsec.yaml}), as read by
 * {@link ConfigLoader}. Immutable; every section is present (with defaults) even when the file
 * leaves it out. docs/CONFIG.md is the reference.
 *
 * @param mptcp       MPTCP sysctls, limits, path manager, strategy and congestion control
 * @param interfaces  the interfaces that carry extra paths, in file order
 * @param securePaths IPsec on every path between this host and its peer
 * @param agent       the agent's listener, status socket, namespaces and logging
 */
public record MpsecConfig(MptcpSettings mptcp, List<InterfaceSettings> interfaces, SecurePathsSettings securePaths,
        AgentSettings agent) {
    public MpsecConfig {
        interfaces = List.copyOf(interfaces);
    }

    /** The interface named {@code name}, if configured. */
    public Optional<InterfaceSettings> iface(String name) {
        return interfaces.stream().filter(i -> i.name().equals(name)).findFirst();
    }
}
