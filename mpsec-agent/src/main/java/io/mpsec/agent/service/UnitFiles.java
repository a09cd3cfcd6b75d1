package io.mpsec.agent.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two systemd units, rendered from the templates in the jar
 * ({@code io/mpsec/agent/service/*.service}).
 *
 * <ul>
 *   <li>{@value #KILLSWITCH}: a oneshot unit early in boot, before {@code network-pre.target}, runs
 *       {@code mpsec-agent block}: BLOCK policies for the configured peers, so nothing reaches them in
 *       clear before the agent runs.</li>
 *   <li>{@value #AGENT}: {@code mpsec-agent serve}, which requires the kill switch.</li>
 * </ul>
 *
 * <p>Capabilities are the least MPSec needs (capability.h, Linux 6.1): CAP_NET_ADMIN (xfrm, mptcp_pm,
 * rtnetlink, nftables, sysctls under net.*), CAP_NET_RAW (packet capture), CAP_BPF and CAP_PERFMON
 * (the BPF congestion controls), and CAP_SYS_ADMIN only when the agent enters network namespaces
 * ({@code setns(2)} on a network namespace needs it). The kill switch gets CAP_NET_ADMIN (and
 * CAP_SYS_ADMIN with namespaces) only.
 */
public final class UnitFiles {
    /** The kill-switch unit's file name. */
    public static final String KILLSWITCH = "mpsec-killswitch.service";
    /** The agent unit's file name. */
    public static final String AGENT = "mpsec-agent.service";
    /** Both units, in the order they are written and enabled. */
    public static final List<String> NAMES = List.of(KILLSWITCH, AGENT);

    static final String BASE_CAPABILITIES = "CAP_NET_ADMIN CAP_NET_RAW CAP_BPF CAP_PERFMON";
    static final String KILLSWITCH_CAPABILITIES = "CAP_NET_ADMIN";
    static final String NAMESPACE_CAPABILITY = "CAP_SYS_ADMIN";

    private UnitFiles() {
    }

    /** Renders both units for {@code options}: file name to content, kill switch first. */
    public static Map<String, String> render(ServiceOptions options) {
        String extra = options.namespaces() ? " " + NAMESPACE_CAPABILITY : "";
        String note = options.namespaces()
                ? "CAP_SYS_ADMIN is included because the agent enters network namespaces."
                : "no CAP_SYS_ADMIN (the agent enters no network namespace; `install-service --namespaces` adds it).";
        Map<String, String> units = new LinkedHashMap<>();
        for (String name : NAMES) {
            units.put(name, template(name)
                    .replace("@BINARY@", options.binary().toString())
                    .replace("@CONFIG@", options.config().toString())
                    .replace("@KILLSWITCH_CAPABILITIES@", KILLSWITCH_CAPABILITIES + extra)
                    .replace("@CAPABILITIES@", BASE_CAPABILITIES + extra)
                    .replace("@CAPABILITY_NOTE@", note));
        }
        return units;
    }

    private static String template(String name) {
        try (InputStream in = UnitFiles.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the unit template " + name + " is missing from the jar (io/mpsec/agent/service/)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the unit template " + name, e);
        }
    }
}
