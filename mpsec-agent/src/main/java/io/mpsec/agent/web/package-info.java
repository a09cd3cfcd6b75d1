/**
 * The live dashboard of {@code mpsec-agent serve}: {@link io.mpsec.agent.web.Dashboard} watches
 * namespaces (rtnetlink link counters and flags every 100 ms, link and MPTCP path-manager events as they
 * happen) and judges each path ({@link io.mpsec.agent.web.PathTracker}); {@link io.mpsec.agent.web.WebRouter}
 * serves the page (from the jar, uPlot from its WebJar), the JSON API under {@code /api/v1/} and the
 * server-sent events stream {@code /api/v1/stream}. Connections, packet security and SAs come from
 * sources plugged in by the agent ({@link io.mpsec.agent.web.ConnectionsSource},
 * {@link io.mpsec.agent.web.PacketSecuritySource}, {@code Dashboard.securePaths}); without them
 * those panels stay empty.
 */
package io.mpsec.agent.web;
