package io.mpsec.agent.doctor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mpsec.pm.CapabilityReport;
import io.mpsec.pm.EndpointFlag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The JSON form of a {@link DoctorReport}, for scripts. Field names are stable:
 * <pre>
 * { "schema": 1, "namespace": null | "NAME", "kernel": "6.18.44",
 *   "capabilities": { "mptcp_sockets", "mptcp_enabled", "pm_netlink", "path_manager", "path_managers",
 *                     "scheduler", "schedulers", "congestion_control", "congestion_controls",
 *                     "endpoint_flags", "tcp_is_mptcp", "mptcp_full_info", "notes" },
 *   "checks": [ { "id", "status": "ok|warn|fail|info", "title", "found", "action" (null when none),
 *                 "values": { raw values, per check } } ],
 *   "summary": { "ok", "warn", "fail", "info" }, "exit_code": 0 | 1 }
 * </pre>
 */
public final class JsonReport {
    /** Bumped when a field changes meaning or disappears (new fields may appear without a bump). */
    public static final int SCHEMA = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    public static String render(DoctorReport d) {
        CapabilityReport r = d.capabilities();
        Map<String, Object> caps = new LinkedHashMap<>();
        caps.put("mptcp_sockets", d.mptcpSockets());
        caps.put("mptcp_enabled", r.mptcpEnabled());
        caps.put("pm_netlink", r.pmFamily());
        caps.put("path_manager", r.pathManager());
        caps.put("path_managers", r.pathManagers());
        caps.put("scheduler", r.scheduler());
        caps.put("schedulers", r.schedulers());
        caps.put("congestion_control", r.congestionControl());
        caps.put("congestion_controls", r.congestionControls());
        caps.put("endpoint_flags", new TreeSet<EndpointFlag>(r.endpointFlags()).stream().map(Enum::name).toList());
        caps.put("tcp_is_mptcp", r.tcpIsMptcp());
        caps.put("mptcp_full_info", r.mptcpFullInfo());
        caps.put("notes", r.notes());
        List<Map<String, Object>> checks = new ArrayList<>();
        for (Finding f : d.findings()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", f.id());
            c.put("status", f.status().label());
            c.put("title", f.title());
            c.put("found", f.found());
            c.put("action", f.action());
            c.put("values", f.values());
            checks.add(c);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        d.counts().forEach((s, n) -> summary.put(s.label(), n));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", SCHEMA);
        root.put("namespace", d.namespace());
        root.put("kernel", r.kernelRelease());
        root.put("capabilities", caps);
        root.put("checks", checks);
        root.put("summary", summary);
        root.put("exit_code", d.exitCode());
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("doctor report cannot be written as JSON: " + e.getMessage(), e);
        }
    }
}
