/**
 * Packet security per interface: {@link io.mpsec.metrics.security.PacketSecurityMetrics} exposes the
 * kernel counters of {@link io.mpsec.ipsec.inspect.PeerTrafficCounters} (ESP, TCP in clear, other in
 * clear, between the configured peers only), the verdict per interface over a window (esp, cleartext,
 * unknown) and, on demand, the inspector's verdict ({@link io.mpsec.ipsec.inspect.PeerInspector});
 * {@link io.mpsec.metrics.security.PacketSecurityMetrics#snapshot()} is the dashboard's source.
 */
package io.mpsec.metrics.security;
