package io.mpsec.agent.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The demo's "physical" network: two hosts, PC1 and PC2 (network namespaces), joined by N veth paths
 * with HTB rate limits, addressed in 198.18.0.0/15 (RFC 2544 benchmarking range): on path P (1-based)
 * PC1 has 198.18.P.1/24 on interface {@code pc1P} and PC2 has 198.18.P.2/24 on {@code pc2P}, the names
 * the sample configurations ({@code samples/demo-pc1.yaml}, {@code demo-pc2.yaml}) use.
 *
 * <p>Only the wiring lives here. MPTCP, endpoints, routing and IPsec are configured on top by
 * {@code mpsec-agent setup}, like on a real host. Everything the demo creates lives inside the two
 * namespaces, so deleting them removes it all; {@link #close()} does that (the demo calls it on Ctrl-C
 * too), and {@link #removeStale()} removes what a demo killed with SIGKILL left behind.
 */
public final class DemoTestbed implements AutoCloseable {
    /** Namespace names are {@code mpsec-demo-<pid>-pc1} and {@code -pc2}; the pid finds stale ones. */
    static final String PREFIX = "mpsec-demo-";
    private static final Path NETNS_DIR = Path.of("/var/run/netns");
    private final String pc1;
    private final String pc2;
    private final int paths;

    private DemoTestbed(String tag, int paths) {
        this.pc1 = PREFIX + tag + "-pc1";
        this.pc2 = PREFIX + tag + "-pc2";
        this.paths = paths;
    }

    /**
     * Builds the two hosts and {@code paths} paths of {@code rateMbit} each.
     *
     * @throws IOException when a step fails; whatever was built is removed first
     */
    public static DemoTestbed build(int paths, int rateMbit) throws IOException, InterruptedException {
        DemoTestbed t = new DemoTestbed(Long.toString(ProcessHandle.current().pid()), paths);
        try {
            sh("ip", "netns", "add", t.pc1);
            sh("ip", "netns", "add", t.pc2);
            for (String ns : List.of(t.pc1, t.pc2)) {
                sh("ip", "-n", ns, "link", "set", "lo", "up");
            }
            for (int p = 1; p <= paths; p++) {
                // veth ends are created directly in their namespaces: nothing appears in the host's
                sh("ip", "link", "add", "mpsd" + p + "a", "netns", t.pc1, "type", "veth", "peer", "name", "mpsd" + p + "b", "netns", t.pc2);
                sh("ip", "-n", t.pc1, "link", "set", "mpsd" + p + "a", "name", iface(1, p));
                sh("ip", "-n", t.pc2, "link", "set", "mpsd" + p + "b", "name", iface(2, p));
                sh("ip", "-n", t.pc1, "addr", "add", address(p, 1) + "/24", "dev", iface(1, p));
                sh("ip", "-n", t.pc2, "addr", "add", address(p, 2) + "/24", "dev", iface(2, p));
                for (int h = 1; h <= 2; h++) {
                    String ns = h == 1 ? t.pc1 : t.pc2;
                    String dev = iface(h, p);
                    sh("ip", "-n", ns, "link", "set", dev, "up");
                    sh("tc", "-n", ns, "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "10");
                    sh("tc", "-n", ns, "class", "add", "dev", dev, "parent", "1:", "classid", "1:10",
                            "htb", "rate", rateMbit + "mbit", "ceil", rateMbit + "mbit");
                }
            }
            return t;
        } catch (IOException | InterruptedException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** The interface of {@code host} (1 = PC1, 2 = PC2) on path {@code p} (1-based): {@code pc1P}, {@code pc2P}. */
    public static String iface(int host, int p) {
        return "pc" + host + p;
    }

    /** The address of {@code host} (1 = PC1, 2 = PC2) on path {@code p}. */
    public static String address(int p, int host) {
        return "198.18." + p + "." + host;
    }

    /** PC1's namespace name (the receiving side). */
    public String pc1() {
        return pc1;
    }

    /** PC2's namespace name (the streaming side). */
    public String pc2() {
        return pc2;
    }

    /** The number of paths. */
    public int paths() {
        return paths;
    }

    /** Link down on both ends of path {@code p}. */
    public void linkDown(int p) throws IOException, InterruptedException {
        sh("ip", "-n", pc1, "link", "set", iface(1, p), "down");
        sh("ip", "-n", pc2, "link", "set", iface(2, p), "down");
    }

    /**
     * A silent blackhole on path {@code p}: PC1 drops every packet arriving on it (nft, table
     * {@code netdev mpsec_demo_fault}); the link stays up, so only timeouts can tell.
     */
    public void blackhole(int p) throws IOException, InterruptedException {
        String rules = "table netdev mpsec_demo_fault {\n chain in { type filter hook ingress device " + iface(1, p)
                + " priority -500; policy drop; }\n}\n";
        nft(pc1, rules);
    }

    /** Undoes {@link #linkDown} and {@link #blackhole} on path {@code p}. */
    public void restore(int p) throws IOException, InterruptedException {
        shQuiet("ip", "netns", "exec", pc1, "nft", "delete", "table", "netdev", "mpsec_demo_fault");
        sh("ip", "-n", pc1, "link", "set", iface(1, p), "up");
        sh("ip", "-n", pc2, "link", "set", iface(2, p), "up");
    }

    /** rx bytes of PC1's interface on path {@code p}, read from sysfs inside PC1. */
    public long rxBytes(int p) throws IOException, InterruptedException {
        return Long.parseLong(sh("ip", "netns", "exec", pc1, "cat", "/sys/class/net/" + iface(1, p) + "/statistics/rx_bytes").trim());
    }

    /**
     * Removes the namespaces of earlier demos whose process is gone (a demo killed with SIGKILL runs
     * no cleanup). Returns the names removed.
     */
    public static List<String> removeStale() throws IOException, InterruptedException {
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(NETNS_DIR)) {
            return removed;
        }
        List<String> names;
        try (Stream<Path> s = Files.list(NETNS_DIR)) {
            names = s.map(p -> p.getFileName().toString()).filter(n -> n.matches(PREFIX + "\\d+-pc[12]")).toList();
        }
        for (String n : names) {
            long pid = Long.parseLong(n.substring(PREFIX.length(), n.lastIndexOf('-')));
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            sh("ip", "netns", "del", n);
            removed.add(n);
        }
        return removed;
    }

    private static void nft(String ns, String rules) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "nft", "-f", "-").redirectErrorStream(true).start();
        p.getOutputStream().write(rules.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("nft -f in " + ns + " failed: " + out.trim());
        }
    }

    static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IOException("'" + String.join(" ", cmd) + "' failed (exit " + p.exitValue() + "): " + out.trim());
        }
        return out;
    }

    private static void shQuiet(String... cmd) throws InterruptedException {
        try {
            sh(cmd);
        } catch (IOException e) {
            // nothing to undo
        }
    }

    @Override
    public void close() {
        for (String ns : List.of(pc1, pc2)) {
            if (Files.exists(NETNS_DIR.resolve(ns))) {
                try {
                    sh("ip", "netns", "del", ns);
                } catch (IOException | InterruptedException e) {
                    System.err.println("could not delete namespace " + ns + ": " + e.getMessage());
                }
            }
        }
    }
}
