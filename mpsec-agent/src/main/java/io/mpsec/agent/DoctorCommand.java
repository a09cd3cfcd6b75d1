package io.mpsec.agent;

import io.mpsec.Mptcp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Prints what this host offers MPSec. */
@Command(name = "doctor", description = "Show whether this host can run MPSec (MPTCP, sysctls, congestion controls).")
final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("kernel:            " + read("/proc/sys/kernel/osrelease"));
        System.out.println("MPTCP sockets:     " + (Mptcp.isAvailable() ? "available" : "UNAVAILABLE: " + Mptcp.unavailabilityCause().getMessage()));
        System.out.println("net.mptcp.enabled: " + read("/proc/sys/net/mptcp/enabled"));
        System.out.println("path managers:     " + read("/proc/sys/net/mptcp/available_path_managers"));
        System.out.println("schedulers:        " + read("/proc/sys/net/mptcp/available_schedulers"));
        System.out.println("congestion ctrl:   " + read("/proc/sys/net/ipv4/tcp_available_congestion_control")
                + " (default " + read("/proc/sys/net/ipv4/tcp_congestion_control") + ")");
        return Mptcp.isAvailable() ? 0 : 1;
    }

    static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "(not present: " + file + ")";
        }
    }
}
