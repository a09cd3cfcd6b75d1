package io.mpsec.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces joined by one unshaped veth pair: client {@code 198.18.1.1}, server
 * {@code 198.18.1.2}. Names follow the testbed's pattern {@code mpsec-<pid>-<random>-<host>}, so a
 * run that dies is cleaned up by the next testbed. Needs root.
 */
public final class BenchNet implements AutoCloseable {
    public static final String CLIENT_ADDRESS = "198.18.1.1";
    public static final String SERVER_ADDRESS = "198.18.1.2";

    private final String client;
    private final String server;

    private BenchNet(String prefix) {
        this.client = prefix + "-c";
        this.server = prefix + "-s";
    }

    /**
     * Creates the namespaces and the link; deletes what it made if a step fails. With {@code mptcp}
     * false, {@code net.mptcp.enabled=0} in both: MPSec and the C peer fall back to plain TCP.
     * {@code congestionControl} (e.g. {@code reno}; null keeps the inherited default, bbr here) becomes
     * both namespaces' {@code net.ipv4.tcp_congestion_control}; it must be in
     * {@code net.ipv4.tcp_allowed_congestion_control}.
     */
    public static BenchNet create(boolean mptcp, String congestionControl) throws IOException {
        String prefix = String.format("mpsec-%d-%06x", ProcessHandle.current().pid(), ThreadLocalRandom.current().nextInt(1 << 24));
        BenchNet net = new BenchNet(prefix);
        try {
            run("ip", "netns", "add", net.client);
            run("ip", "netns", "add", net.server);
            run("ip", "link", "add", "c1", "netns", net.client, "type", "veth", "peer", "name", "s1", "netns", net.server);
            run("ip", "-n", net.client, "addr", "add", CLIENT_ADDRESS + "/24", "dev", "c1");
            run("ip", "-n", net.server, "addr", "add", SERVER_ADDRESS + "/24", "dev", "s1");
            for (String ns : List.of(net.client, net.server)) {
                run("ip", "-n", ns, "link", "set", "lo", "up");
                run("ip", "-n", ns, "link", "set", ns.equals(net.client) ? "c1" : "s1", "up");
                if (!mptcp) {
                    run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.mptcp.enabled=0");
                }
                if (congestionControl != null) {
                    run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.tcp_congestion_control=" + congestionControl);
                }
            }
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    public String client() {
        return client;
    }

    public String server() {
        return server;
    }

    public static InetAddress serverAddress() throws IOException {
        return InetAddress.getByName(SERVER_ADDRESS);
    }

    /** A command line that runs {@code command} inside {@code namespace}. */
    public static List<String> in(String namespace, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return full;
    }

    @Override
    public void close() {
        for (String ns : List.of(client, server)) {
            try {
                run("ip", "netns", "del", ns);
            } catch (IOException | RuntimeException ignored) {
                // best effort: it may not exist if creation failed early
            }
        }
    }

    /** A veth pair from {@code devA} in {@code nsA} to {@code devB} in {@code nsB}, each end with its /24 address, both up. */
    static void veth(String nsA, String devA, String addrA, String nsB, String devB, String addrB) throws IOException {
        run("ip", "link", "add", devA, "netns", nsA, "type", "veth", "peer", "name", devB, "netns", nsB);
        run("ip", "-n", nsA, "addr", "add", addrA + "/24", "dev", devA);
        run("ip", "-n", nsB, "addr", "add", addrB + "/24", "dev", devB);
        run("ip", "-n", nsA, "link", "set", devA, "up");
        run("ip", "-n", nsB, "link", "set", devB, "up");
    }

    /** A bottleneck on {@code dev}'s egress in {@code ns}: HTB at {@code mbit} with a pfifo leaf of {@code packets}. */
    static void bottleneck(String ns, String dev, int mbit, int packets) throws IOException {
        String rate = mbit + "mbit";
        run("tc", "-n", ns, "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "10");
        run("tc", "-n", ns, "class", "add", "dev", dev, "parent", "1:", "classid", "1:10", "htb", "rate", rate, "ceil", rate);
        run("tc", "-n", ns, "qdisc", "add", "dev", dev, "parent", "1:10", "handle", "10:", "pfifo", "limit", String.valueOf(packets));
    }

    static void run(String... command) throws IOException {
        output(command);
    }

    /** Runs {@code command} with {@code input} on its standard input; fails unless it exits 0. */
    static String runWithInput(String input, String... command) throws IOException {
        return exec(input, command);
    }

    /** Runs {@code command} and returns its output (stdout and stderr); fails unless it exits 0. */
    static String output(String... command) throws IOException {
        return exec(null, command);
    }

    private static String exec(String input, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (input != null) {
            try (var in = p.getOutputStream()) {
                in.write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        } else {
            p.getOutputStream().close();
        }
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        return out;
    }
}
