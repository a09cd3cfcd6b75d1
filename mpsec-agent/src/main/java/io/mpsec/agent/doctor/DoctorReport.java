package io.mpsec.agent.doctor;

import io.mpsec.pm.CapabilityReport;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the doctor found in one namespace.
 *
 * @param namespace the diagnosed namespace's name, {@code null} for the doctor's own
 * @param mptcpSockets whether this process opens MPTCP sockets ({@code available} or why not)
 * @param capabilities the library's capability probes
 * @param findings the checks' findings, in order
 */
public record DoctorReport(String namespace, String mptcpSockets, CapabilityReport capabilities, List<Finding> findings) {
    public DoctorReport {
        findings = List.copyOf(findings);
    }

    /** 0 when no finding is {@link Status#FAIL}, otherwise 1. */
    public int exitCode() {
        return findings.stream().anyMatch(f -> f.status() == Status.FAIL) ? 1 : 0;
    }

    /** How many findings have each status (every status present, 0 included). */
    public Map<Status, Integer> counts() {
        Map<Status, Integer> m = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            m.put(s, 0);
        }
        findings.forEach(f -> m.merge(f.status(), 1, Integer::sum));
        return m;
    }

    /** The finding with this id. */
    public Optional<Finding> finding(String id) {
        return findings.stream().filter(f -> f.id().equals(id)).findFirst();
    }
}
