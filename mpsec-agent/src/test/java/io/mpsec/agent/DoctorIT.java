package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.testbed.Testbed;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** `doctor` reports what the kernel says, cross-checked with /proc/sys inside a fresh namespace. */
class DoctorIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("h").build();

    private static String doctor(Testbed.Host h, int[] exit) throws Exception {
        return h.call(() -> {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            PrintStream old = System.out;
            try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
                System.setOut(capture);
                exit[0] = new CommandLine(new Main()).execute("doctor");
            } finally {
                System.setOut(old);
            }
            return buf.toString(StandardCharsets.UTF_8);
        });
    }

    @Test
    void reportsTheNamespacesSettings() throws Exception {
        Testbed.Host h = NET.host("h");
        int[] exit = new int[1];
        String out = doctor(h, exit);
        assertThat(exit[0]).as(out).isZero();
        assertThat(out).contains("kernel:              " + h.execOk("uname", "-r").stdout().trim());
        assertThat(out).contains("net.mptcp.enabled:   1");
        assertThat(out).contains("scheduler:           " + h.sysctl("net.mptcp.scheduler"));
        assertThat(out).contains("congestion control:  " + h.sysctl("net.ipv4.tcp_congestion_control"));

        h.sysctl("net.mptcp.enabled", "0");
        out = doctor(h, exit);
        assertThat(out).contains("net.mptcp.enabled:   0");
        assertThat(exit[0]).as("MPTCP disabled is reported as a problem").isEqualTo(1);
    }
}
