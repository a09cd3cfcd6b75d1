package io.mpsec.agent;

import io.mpsec.Mptcp;
import io.mpsec.kernel.pm.Capabilities;
import io.mpsec.pm.CapabilityReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Prints what this host offers MPSec, from the same probes the library uses. */
@Command(name = "doctor", description = "Show whether this host can run MPSec: MPTCP, path managers, schedulers, "
        + "congestion controls, endpoint flags and socket introspection.")
final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        CapabilityReport r = Capabilities.probe(null);
        System.out.println("kernel:              " + r.kernelRelease());
        System.out.println("MPTCP sockets:       " + (Mptcp.isAvailable() ? "available"
                : "UNAVAILABLE: " + Mptcp.unavailabilityCause().getMessage()));
        System.out.println("net.mptcp.enabled:   " + (r.mptcpEnabled() ? 1 : 0));
        System.out.println("mptcp_pm netlink:    " + (r.pmFamily() ? "yes" : "no"));
        System.out.println("path manager:        " + r.pathManager() + " (available " + r.pathManagers() + ")");
        System.out.println("scheduler:           " + r.scheduler() + " (available " + r.schedulers() + ")");
        System.out.println("congestion control:  " + r.congestionControl() + " (available " + r.congestionControls() + ")");
        System.out.println("endpoint flags:      " + r.endpointFlags());
        System.out.println("TCP_IS_MPTCP:        " + (r.tcpIsMptcp() ? "yes" : "no (needs Linux 6.10+)"));
        System.out.println("MPTCP_FULL_INFO:     " + (r.mptcpFullInfo() ? "yes" : "no (needs Linux 6.5+)"));
        for (String note : r.notes()) {
            System.out.println("note: " + note);
        }
        return Mptcp.isAvailable() && r.mptcpEnabled() ? 0 : 1;
    }
}
