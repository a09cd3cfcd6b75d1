package io.mpsec.agent.doctor;

import io.mpsec.pm.CapabilityReport;
import io.mpsec.pm.EndpointFlag;
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeSet;

/** The human-readable form of a {@link DoctorReport}: the capability report, then one block per finding. */
public final class TextReport {
    private TextReport() {
    }

    public static void print(DoctorReport d, PrintStream out) {
        CapabilityReport r = d.capabilities();
        if (d.namespace() != null) {
            out.println("namespace:           " + d.namespace());
        }
        out.println("kernel:              " + r.kernelRelease());
        out.println("MPTCP sockets:       " + d.mptcpSockets());
        out.println("net.mptcp.enabled:   " + (r.mptcpEnabled() ? 1 : 0));
        out.println("mptcp_pm netlink:    " + (r.pmFamily() ? "yes" : "no"));
        out.println("path manager:        " + r.pathManager() + " (available " + r.pathManagers() + ")");
        out.println("scheduler:           " + r.scheduler() + " (available " + r.schedulers() + ")");
        out.println("congestion control:  " + r.congestionControl() + " (available " + r.congestionControls() + ")");
        out.println("endpoint flags:      " + new TreeSet<EndpointFlag>(r.endpointFlags()));
        out.println("TCP_IS_MPTCP:        " + (r.tcpIsMptcp() ? "yes" : "no (needs Linux 6.10+)"));
        out.println("MPTCP_FULL_INFO:     " + (r.mptcpFullInfo() ? "yes" : "no (needs Linux 6.5+)"));
        for (String note : r.notes()) {
            out.println("note: " + note);
        }
        out.println();
        out.println("checks:");
        for (Finding f : d.findings()) {
            out.printf("%-7s %-26s %s: %s%n", "[" + label(f.status()) + "]", f.id(), f.title(), f.found());
            if (f.action() != null) {
                out.printf("%-7s %-26s do: %s%n", "", "", f.action());
            }
        }
        Map<Status, Integer> c = d.counts();
        out.println();
        out.println("result: " + c.get(Status.OK) + " ok, " + c.get(Status.WARN) + " warn, " + c.get(Status.FAIL) + " fail, "
                + c.get(Status.INFO) + " info; exit code " + d.exitCode());
    }

    /** ok, WARN, FAIL, info: the ones that need attention stand out. */
    static String label(Status s) {
        return s == Status.WARN || s == Status.FAIL ? s.name() : s.label();
    }
}
