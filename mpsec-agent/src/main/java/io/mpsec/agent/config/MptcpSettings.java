package io.mpsec.agent.config;

import io.mpsec.pm.Limits;
import java.util.List;

/**
 * The {@code mptcp} section. A {@code null} component means "leave the kernel's value as it is".
 *
 * @param enabled           {@code net.mptcp.enabled}
 * @param pathManager       {@code kernel} or {@code userspace} ({@code net.mptcp.path_manager}, or
 *                          {@code net.mptcp.pm_type} before Linux 6.15); a userspace strategy implies userspace
 * @param scheduler         {@code net.mptcp.scheduler} (6.6+), checked against {@code available_schedulers}
 * @param staleLossCnt      {@code net.mptcp.stale_loss_cnt}
 * @param limits            the in-kernel path manager's limits (subflows, add_addr_accepted)
 * @param strategy          the path-management strategy the agent runs
 * @param congestionControl the TCP congestion control for subflows
 */
public record MptcpSettings(Boolean enabled, String pathManager, String scheduler, Integer staleLossCnt, Limits limits,
        Strategy strategy, CongestionControlSettings congestionControl) {
    /** Path managers the configuration accepts. */
    public static final List<String> PATH_MANAGERS = List.of("kernel", "userspace");

    /** The path manager setup selects: the configured one, or {@code userspace} for a userspace strategy. */
    public String effectivePathManager() {
        if (pathManager != null) {
            return pathManager;
        }
        return strategy.name().equals(Strategy.KERNEL) ? null : "userspace";
    }

    /**
     * The path-management strategy: {@code kernel} (in-kernel PM with the configured endpoints), or one
     * of the userspace strategies of {@code io.mpsec.kernel.pm.strategy} that the agent runs over the
     * userspace PM: {@code fullmesh} ({@code Fullmesh}), {@code backup} ({@code Backup}),
     * {@code ndiffports} ({@code NDiffPorts}).
     *
     * @param name           kernel, fullmesh, backup or ndiffports
     * @param subflows       ndiffports: subflows per connection (2..8)
     * @param maxSubflows    fullmesh: at most this many subflows per connection (1..8)
     * @param backupLocal    backup: the local address of the standby path
     * @param backupRemote   backup: the remote address of the standby path
     */
    public record Strategy(String name, int subflows, int maxSubflows, java.net.InetAddress backupLocal,
            java.net.InetAddress backupRemote) {
        public static final String KERNEL = "kernel";
        /** Strategy names. */
        public static final List<String> NAMES = List.of(KERNEL, "fullmesh", "backup", "ndiffports");
    }

    /**
     * Congestion control.
     *
     * @param algorithm   a name the kernel lists in {@code net.ipv4.tcp_available_congestion_control}
     * @param makeDefault set it as the namespace's {@code net.ipv4.tcp_congestion_control}; the kernel then
     *                    also adds it to the host-wide {@code net.ipv4.tcp_allowed_congestion_control}
     */
    public record CongestionControlSettings(String algorithm, boolean makeDefault) {
    }
}
