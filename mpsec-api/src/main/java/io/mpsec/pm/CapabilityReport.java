package io.mpsec.pm;

import java.util.List;
import java.util.Set;

/**
 * What the running kernel offers for MPTCP path management, probed in one namespace. Shown by
 * {@code doctor} and on the dashboard.
 *
 * @param kernelRelease e.g. {@code 6.18.44}
 * @param mptcpEnabled {@code net.mptcp.enabled}
 * @param pmFamily whether generic netlink family {@code mptcp_pm} exists (endpoints, limits, events)
 * @param pathManager the namespace's current path manager ({@code kernel} or {@code userspace})
 * @param pathManagers the path managers this kernel offers
 * @param scheduler the namespace's current scheduler
 * @param schedulers schedulers this kernel lists ({@code default} only on stock kernels)
 * @param congestionControl the namespace's default TCP congestion control
 * @param congestionControls the algorithms available
 * @param endpointFlags the endpoint flags this kernel keeps (LAMINAR only on 6.18+)
 * @param tcpIsMptcp whether getsockopt TCP_IS_MPTCP exists (6.10+)
 * @param mptcpFullInfo whether getsockopt MPTCP_FULL_INFO exists (6.5+)
 * @param notes human-readable explanations of anything missing
 */
public record CapabilityReport(String kernelRelease, boolean mptcpEnabled, boolean pmFamily, String pathManager,
        List<String> pathManagers, String scheduler, List<String> schedulers, String congestionControl,
        List<String> congestionControls, Set<EndpointFlag> endpointFlags, boolean tcpIsMptcp, boolean mptcpFullInfo,
        List<String> notes) {
    public CapabilityReport {
        pathManagers = List.copyOf(pathManagers);
        schedulers = List.copyOf(schedulers);
        congestionControls = List.copyOf(congestionControls);
        endpointFlags = Set.copyOf(endpointFlags);
        notes = List.copyOf(notes);
    }
}
