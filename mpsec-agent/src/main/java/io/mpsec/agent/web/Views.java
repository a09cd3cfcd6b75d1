package io.mpsec.agent.web;

import java.util.List;
import java.util.Map;

/**
 * The JSON documents of the API ({@code /api/v1/...}) and of the SSE stream, as records serialized by
 * Jackson. Numbers are plain JSON numbers (bytes, packets, microseconds); times are epoch milliseconds;
 * an unknown number is {@code null}, never NaN. No record here can hold key material: SAs appear as
 * addresses, SPI, generation and counters only.
 */
public final class Views {
    private Views() {
    }

    /** One direction of an interface: counters as {@code ip -s link} prints them, and the rate over the last second. */
    public record Direction(long bytes, long packets, long errors, long drops, double bytesPerSecond) {
    }

    /** One interface; {@code status} is a {@link PathStatus} in lower case. */
    public record InterfaceView(String name, int index, boolean path, String operState, String status,
            String statusReason, long statusSince, Direction rx, Direction tx) {
    }

    /** One namespace: {@code activePaths} paths moved at least 100 kbit/s in the last second. */
    public record NamespaceView(String netns, int paths, int activePaths, List<InterfaceView> interfaces) {
    }

    /** {@code GET /api/v1/interfaces}. */
    public record Interfaces(long time, List<NamespaceView> namespaces) {
    }

    /** One subflow of the connections table. */
    public record SubflowView(String local, String remote, long rttMicros, long cwnd, long bytesSent,
            long bytesReceived, boolean backup, String congestionControl) {
    }

    /** One connection; {@code token} in hex ({@code 0x...}). */
    public record ConnectionView(String netns, String token, String local, String remote, boolean fallback,
            List<SubflowView> subflows) {
    }

    /** {@code GET /api/v1/connections}; {@code sources} names the namespaces that have a connections source. */
    public record Connections(long time, List<String> sources, List<ConnectionView> connections) {
    }

    /** The packet protection of one interface over the last second; {@code verdict} is a {@link SecurityVerdict} in lower case. */
    public record InterfaceSecurityView(String netns, String iface, String verdict, Long espPackets, Long clearPackets) {
    }

    /** One installed SA: never its key. */
    public record SaView(String direction, String spi, long generation, Long bytes, Long packets, Long ageSeconds,
            Long expiresInSeconds) {
    }

    /** The SAs towards one peer address. */
    public record PeerView(String netns, String peer, long activeGeneration, Long peerGeneration, List<SaView> sas) {
    }

    /** One failure of AutoRekey (one line, no key material). */
    public record FailureView(long time, String operation, String message) {
    }

    /** The health of one AutoRekey. */
    public record RekeyView(String netns, String state, long activeGeneration, long rekeys, Long lastRekeyAt,
            long lastRekeyGeneration, String lastRekeyCause, long consecutiveFailures, FailureView lastError,
            long eventOverruns) {
    }

    /** {@code GET /api/v1/security}. */
    public record Security(long time, List<InterfaceSecurityView> interfaces, List<PeerView> peers,
            List<RekeyView> rekey) {
    }

    /** {@code GET /api/v1/events}. */
    public record Events(List<DashboardEvent> events) {
    }

    /** The path manager's endpoint. */
    public record EndpointView(int id, String address, int port, List<String> flags, String iface) {
    }

    /** MPTCP and TCP settings of one namespace; {@code errors} says what could not be read. */
    public record NamespaceSystem(String netns, Boolean mptcpEnabled, String pathManager,
            List<String> availablePathManagers, String scheduler, List<String> availableSchedulers,
            String congestionControl, List<String> availableCongestionControls, Map<String, String> sysctls,
            Integer subflowsLimit, Integer addAddrAcceptedLimit, List<EndpointView> endpoints, List<String> errors) {
    }

    /** CPU (0..1 of all CPUs, {@code null} before two readings), memory in use (the agent: its RSS) and the host's total. */
    public record Usage(Double cpu, long memoryBytes, long memoryTotalBytes) {
    }

    /** {@code GET /api/v1/system}. */
    public record SystemView(long time, String kernel, int cpus, Usage host, Usage agent, long agentUptimeSeconds,
            List<NamespaceSystem> namespaces) {
    }

    /** An SSE {@code snapshot} event: everything but the system panel. */
    public record Snapshot(long time, Interfaces interfaces, Connections connections, Security security) {
    }
}
