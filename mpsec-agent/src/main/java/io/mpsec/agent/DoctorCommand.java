package io.mpsec.agent;

import io.mpsec.agent.doctor.Doctor;
import io.mpsec.agent.doctor.DoctorReport;
import io.mpsec.agent.doctor.JsonReport;
import io.mpsec.agent.doctor.Target;
import io.mpsec.agent.doctor.TextReport;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Diagnoses whether this host (or a named network namespace) can run MPSec: the capability report of
 * the library's probes, then configuration checks, each ok / warn / fail / info with what was found
 * and what to do. Exit code 0 when no check fails, 1 when one does, 2 for a bad command line (for
 * example a namespace that does not exist).
 */
@Command(name = "doctor", description = {"Show whether this host can run MPSec: MPTCP, path managers, schedulers, "
        + "congestion controls, endpoint flags and socket introspection, then check the configuration: MPTCP limits "
        + "against the endpoints, endpoints without dev, strict rp_filter, ESP (probed), other XFRM policies, "
        + "NetworkManager/mptcpd, coupled congestion control.",
        "Exit code: 0 no check failed, 1 a check failed, 2 bad command line."})
final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--netns", paramLabel = "NAME", description = "diagnose the named network namespace (ip netns)")
    String netns;

    @Option(names = "--json", description = "print the report as JSON (stable field names) for scripts")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Target target;
        try {
            target = netns == null ? Target.current() : Target.named(netns);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("doctor: " + e.getMessage());
            return 2;
        }
        try (target) {
            DoctorReport report = Doctor.standard().examine(target);
            if (json) {
                System.out.println(JsonReport.render(report));
            } else {
                TextReport.print(report, System.out);
            }
            return report.exitCode();
        }
    }
}
