package io.mpsec.agent.doctor;

import io.mpsec.Mptcp;
import io.mpsec.kernel.pm.Capabilities;
import io.mpsec.pm.CapabilityReport;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the doctor's checks against one namespace: the capability report of the library's probes,
 * then each {@link Check}. A check that cannot run gives a {@link Status#WARN} finding naming why;
 * it never hides the others.
 */
public final class Doctor {
    private final List<Check> checks;

    public Doctor(List<Check> checks) {
        this.checks = List.copyOf(checks);
    }

    /** Every check, in the order they are shown. */
    public static Doctor standard() {
        return new Doctor(List.of(new MptcpCheck(), new EndpointDevCheck(), new RpFilterCheck(), new EspCheck(),
                new XfrmPolicyCheck(), new PathManagerDaemonsCheck(), new CoupledCcCheck()));
    }

    /** Diagnoses {@code target}. */
    public DoctorReport examine(Target target) throws Exception {
        CapabilityReport caps = Capabilities.probe(target.namespace());
        String sockets = Mptcp.isAvailable() ? "available" : "UNAVAILABLE: " + Mptcp.unavailabilityCause().getMessage();
        List<Finding> findings = new ArrayList<>();
        for (Check c : checks) {
            try {
                findings.addAll(c.run(target));
            } catch (Exception | LinkageError e) {
                findings.add(Finding.of(c.name(), Status.WARN, "check " + c.name(), "the check could not run: " + e,
                        "run doctor as root; if it still fails, report this message", null));
            }
        }
        return new DoctorReport(target.name(), sockets, caps, findings);
    }
}
