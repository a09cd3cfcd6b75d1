package io.mpsec.agent.web;

/**
 * One entry of the events list.
 *
 * @param seq a sequence number, increasing (the SSE event id)
 * @param time when it happened, epoch milliseconds
 * @param netns the namespace ({@code host} for the agent's own)
 * @param kind {@code path-down}, {@code path-silent}, {@code path-up}, {@code path-idle},
 *     {@code connection-created}, {@code connection-established}, {@code connection-closed},
 *     {@code subflow-added}, {@code subflow-closed}, {@code subflow-priority}, {@code address-announced},
 *     {@code address-removed}, {@code fallback}, {@code rekey}, {@code rekey-error} or {@code error}
 * @param subject what it is about: an interface name, a connection token ({@code 0x...}) or a peer
 * @param status for path events, the new {@link PathStatus} in lower case; otherwise empty
 * @param message one line for people
 */
public record DashboardEvent(long seq, long time, String netns, String kind, String subject, String status,
        String message) {
}
