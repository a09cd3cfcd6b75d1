package io.mpsec.metrics.security;

import io.mpsec.ipsec.inspect.InspectorVerdict;
import io.mpsec.ipsec.inspect.InterfaceTraffic;
import io.mpsec.ipsec.inspect.TrafficVerdict;
import java.time.Instant;

/**
 * The packet security of one interface, for a dashboard: the verdict over the window, the kernel
 * counters (total and over the window), and the inspector's last verdict if it was asked.
 *
 * @param netns the namespace tag ({@code host} for the JVM's own)
 * @param iface the interface, or {@code PeerTrafficCounters.UNLISTED}
 * @param verdict ESP, CLEARTEXT or UNKNOWN over the window, from the kernel counters
 * @param total the counters since the table was installed
 * @param window what moved over the window
 * @param inspection the inspector's last verdict on this interface, or {@code null} when never asked
 * @param inspectedAt when that inspection ended, or {@code null}
 */
public record InterfaceSecurity(String netns, String iface, TrafficVerdict verdict, InterfaceTraffic total,
        InterfaceTraffic window, InspectorVerdict inspection, Instant inspectedAt) {
}
