package io.mpsec.bench;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.MptcpPathManager;
import io.mpsec.pm.Endpoint;
import io.mpsec.pm.EndpointFlag;
import io.mpsec.pm.Limits;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A benchmark testbed: a client and a server namespace joined by {@code n} veth paths, each limited
 * by HTB on both ends to its own rate (class 1:10, the default class). Path {@code p} (1-based) has
 * client {@code 198.18.p.1/24} on {@code c<p>} and server {@code 198.18.p.2/24} on {@code s<p>}; only
 * addresses in 198.18.0.0/15 are used. Namespaces are named {@code mpsec-<pid>-<random>-<c|s>} like the
 * test testbed's, so a run that dies is cleaned up by the next testbed. Needs root and {@code tc}.
 *
 * <p>Paths beyond the first are joined by client {@code subflow} endpoints bound to their device,
 * installed through MPSec's own path-manager client ({@link #useExtraPaths}).
 */
public final class PathNet implements AutoCloseable {
    private static final Pattern SENT = Pattern.compile("class htb 1:10 .*?Sent (\\d+) bytes", Pattern.DOTALL);

    private final String client;
    private final String server;
    private final int[] ratesMbit;
    private final List<String> blackholed = new ArrayList<>();

    private PathNet(String prefix, int[] ratesMbit) {
        this.client = prefix + "-c";
        this.server = prefix + "-s";
        this.ratesMbit = ratesMbit.clone();
    }

    private volatile String congestionControl;

    /** Builds the namespaces and one HTB-limited path per rate (Mbit/s); deletes what it made if a step fails. */
    public static PathNet create(int... ratesMbit) throws IOException {
        if (ratesMbit.length < 1 || ratesMbit.length > 8) {
            throw new IllegalArgumentException("a testbed has 1 to 8 paths, not " + ratesMbit.length);
        }
        String prefix = String.format("mpsec-%d-%06x", ProcessHandle.current().pid(), ThreadLocalRandom.current().nextInt(1 << 24));
        PathNet net = new PathNet(prefix, ratesMbit);
        try {
            BenchNet.run("ip", "netns", "add", net.client);
            BenchNet.run("ip", "netns", "add", net.server);
            for (String ns : List.of(net.client, net.server)) {
                BenchNet.run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            for (int p = 1; p <= ratesMbit.length; p++) {
                BenchNet.run("ip", "link", "add", "c" + p, "netns", net.client, "type", "veth", "peer", "name", "s" + p, "netns", net.server);
                BenchNet.run("ip", "-n", net.client, "addr", "add", "198.18." + p + ".1/24", "dev", "c" + p);
                BenchNet.run("ip", "-n", net.server, "addr", "add", "198.18." + p + ".2/24", "dev", "s" + p);
                for (String[] end : new String[][] {{net.client, "c" + p}, {net.server, "s" + p}}) {
                    BenchNet.run("ip", "-n", end[0], "link", "set", end[1], "up");
                    BenchNet.run("tc", "-n", end[0], "qdisc", "add", "dev", end[1], "root", "handle", "1:", "htb", "default", "10");
                    String rate = ratesMbit[p - 1] + "mbit";
                    BenchNet.run("tc", "-n", end[0], "class", "add", "dev", end[1], "parent", "1:", "classid", "1:10", "htb",
                            "rate", rate, "ceil", rate);
                }
            }
            for (String ns : List.of(net.client, net.server)) {
                try (NetNamespace n = NetNamespace.open(ns); MptcpPathManager pm = MptcpPathManager.open(n)) {
                    pm.setLimits(new Limits(8, 8));
                }
            }
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    /**
     * The congestion control the client's sockets ask for with TCP_CONGESTION before they connect, so
     * every subflow runs it (null: the namespace's default). Per socket, because a namespace other than
     * the first cannot make a BPF algorithm its default.
     */
    public void congestionControl(String name) {
        this.congestionControl = name;
    }

    public String congestionControl() {
        return congestionControl;
    }

    public String client() {
        return client;
    }

    public String server() {
        return server;
    }

    public int paths() {
        return ratesMbit.length;
    }

    public int rateMbit(int path) {
        return ratesMbit[path - 1];
    }

    public static InetAddress clientAddress(int path) throws IOException {
        return InetAddress.getByName("198.18." + path + ".1");
    }

    public static InetAddress serverAddress(int path) throws IOException {
        return InetAddress.getByName("198.18." + path + ".2");
    }

    /**
     * Sets the client's endpoints so new connections use paths 1..{@code count}: endpoint id
     * {@code p} = {@code 198.18.p.1 dev c<p> subflow} for p = 2..count (with {@code backup} on them when
     * asked), none for count 1. Through MPSec's {@link MptcpPathManager}.
     */
    public void useExtraPaths(int count, boolean backup) throws IOException {
        try (NetNamespace n = NetNamespace.open(client); MptcpPathManager pm = MptcpPathManager.open(n)) {
            pm.flushEndpoints();
            for (int p = 2; p <= count; p++) {
                Endpoint e = backup ? Endpoint.of(clientAddress(p), EndpointFlag.SUBFLOW, EndpointFlag.BACKUP)
                        : Endpoint.of(clientAddress(p), EndpointFlag.SUBFLOW);
                pm.addEndpoint(e.withId(p).withIfIndex(ifIndex(client, "c" + p)));
            }
        }
    }

    /** Bytes HTB class 1:10 sent on the client's ({@code client} true) or server's device of {@code path}. */
    public long htbSentBytes(boolean clientSide, int path) throws IOException {
        String out = BenchNet.output("tc", "-n", clientSide ? client : server, "-s", "class", "show", "dev", (clientSide ? "c" : "s") + path);
        Matcher m = SENT.matcher(out);
        if (!m.find()) {
            throw new IOException("no HTB class 1:10 counters on path " + path + " in: " + out);
        }
        return Long.parseLong(m.group(1));
    }

    /** Link-down cut: the client's device of {@code path} goes down (the client sees it at once). */
    public void linkDown(int path) throws IOException {
        BenchNet.run("ip", "-n", client, "link", "set", "c" + path, "down");
    }

    /** Undoes {@link #linkDown}. */
    public void linkUp(int path) throws IOException {
        BenchNet.run("ip", "-n", client, "link", "set", "c" + path, "up");
    }

    /**
     * Blackhole cut: an nft rule in the server drops every packet arriving on or leaving through its
     * device of {@code path}; both links stay up, so nobody is told.
     */
    public void blackhole(int path) throws IOException {
        String table = "mpsec_bench_bh" + path;
        String rules = "table inet " + table + " {\n"
                + " chain in { type filter hook input priority 0; iifname \"s" + path + "\" drop; }\n"
                + " chain out { type filter hook output priority 0; oifname \"s" + path + "\" drop; }\n}\n";
        BenchNet.runWithInput(rules, "ip", "netns", "exec", server, "nft", "-f", "-");
        blackholed.add(table);
    }

    /** Undoes {@link #blackhole}. */
    public void unblackhole(int path) throws IOException {
        String table = "mpsec_bench_bh" + path;
        BenchNet.run("ip", "netns", "exec", server, "nft", "delete", "table", "inet", table);
        blackholed.remove(table);
    }

    /**
     * Sets {@code rto_min} on the prefix route of {@code path} on both hosts (the kernel's floor for
     * the retransmission timeout of connections on that route; 200 ms by default); 0 puts the route
     * back without the option.
     */
    public void setRtoMin(int path, int millis) throws IOException {
        for (String[] end : new String[][] {{client, "c" + path, "1"}, {server, "s" + path, "2"}}) {
            List<String> cmd = new ArrayList<>(List.of("ip", "-n", end[0], "route", "replace", "198.18." + path + ".0/24", "dev", end[1],
                    "proto", "kernel", "scope", "link", "src", "198.18." + path + "." + end[2]));
            if (millis > 0) {
                cmd.addAll(List.of("rto_min", millis + "ms"));
            }
            BenchNet.run(cmd.toArray(new String[0]));
        }
    }

    /** The ifindex of {@code dev} in {@code ns}. */
    static int ifIndex(String ns, String dev) throws IOException {
        return Integer.parseInt(BenchNet.output("ip", "netns", "exec", ns, "cat", "/sys/class/net/" + dev + "/ifindex").strip());
    }

    @Override
    public void close() {
        for (String ns : List.of(client, server)) {
            try {
                BenchNet.run("ip", "netns", "del", ns);
            } catch (IOException | RuntimeException ignored) {
                // best effort: it may not exist if creation failed early
            }
        }
    }

    /** Waits {@code millis}. */
    static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
