package io.mpsec.agent.setup;

import io.mpsec.agent.Main;
import io.mpsec.testbed.Testbed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs the CLI in-process and dumps a namespace's state with independent tools (ip, sysctl, nft). */
final class SetupSupport {
    private SetupSupport() {
    }

    /** Exit code and combined output of one CLI run. */
    record Run(int exit, String out) {
    }

    static synchronized Run cli(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        int exit;
        try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            System.setErr(capture);
            exit = new CommandLine(new Main()).execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        oldOut.println("$ mpsec-agent " + String.join(" ", args) + " -> " + exit + "\n" + out);
        return new Run(exit, out);
    }

    static String sample(String name) throws IOException {
        try (InputStream in = SetupSupport.class.getResourceAsStream("/io/mpsec/agent/samples/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The demo sample for host {@code pc1}/{@code pc2}, with the master key at {@code key}, secure paths on or off. */
    static String demo(String host, Path key, boolean secure) throws IOException {
        String s = sample("demo-" + host + ".yaml").replace("/etc/mpsec/demo.key", key.toString());
        return secure ? s : s.replace("securePaths:\n  enabled: true", "securePaths:\n  enabled: false");
    }

    /** {@code ip xfrm state} prints SA keys: they never reach test output. */
    static String redact(String xfrmState) {
        return xfrmState.replaceAll("0x[0-9a-fA-F]{16,}", "<key redacted>");
    }

    static Path write(Path dir, String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    /**
     * Everything setup may touch, read with iproute2, sysctl and nft in the host's namespace: the
     * MPTCP sysctls, congestion control (per namespace and the host-wide allowed list), rp_filter,
     * endpoints, limits, rules, every routing table, xfrm policies and SAs, the nftables ruleset.
     */
    static String dump(Testbed.Host h) {
        List<String> parts = new ArrayList<>();
        parts.add(h.execOk("sysctl", "net.mptcp", "net.ipv4.tcp_congestion_control", "net.ipv4.tcp_allowed_congestion_control",
                "net.ipv4.conf." + h.iface(1) + ".rp_filter", "net.ipv4.conf." + h.iface(2) + ".rp_filter").stdout());
        parts.add(h.execOk("ip", "mptcp", "endpoint", "show").stdout());
        parts.add(h.execOk("ip", "mptcp", "limits", "show").stdout());
        parts.add(h.execOk("ip", "rule").stdout());
        parts.add(h.execOk("ip", "-6", "rule").stdout());
        // without the IPv6 link-local routes, which the kernel adds when DAD ends (a race with the test, not setup's)
        parts.add(h.execOk("ip", "route", "show", "table", "all").stdout().lines().filter(l -> !l.contains("fe80::"))
                .collect(java.util.stream.Collectors.joining("\n")));
        parts.add(h.execOk("ip", "xfrm", "policy").stdout());
        parts.add(redact(h.execOk("ip", "xfrm", "state").stdout()));
        parts.add(h.execOk("nft", "list", "ruleset").stdout());
        return String.join("\n----\n", parts);
    }
}
