package io.mpsec.bench;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.MptcpPathManager;
import io.mpsec.pm.Endpoint;
import io.mpsec.pm.EndpointFlag;
import io.mpsec.pm.Limits;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A shared bottleneck on a forwarding router, for the fairness benchmark: namespaces client
 * ({@code -c}), router ({@code -r}) and server ({@code -s}). Two unshaped veth paths join c and r
 * ({@code 198.18.1.0/24} on c1/r1 and {@code 198.18.2.0/24} on c2/r2, one per MPTCP subflow), one joins
 * r and s ({@code 198.18.3.0/24}: r3 {@code .2}, s3 {@code .3}). The router forwards; on its egress
 * towards s, and only there, HTB class 1:10 limits the rate and a {@code pfifo} leaf (handle 10:) holds
 * at most {@code queuePackets} packets. A forwarding queue drops like a real one; HTB on the sender's own
 * egress would not (TCP Small Queues and qdisc backpressure throttle a local sender, which then never
 * sees a loss). The client's devices send one MSS per packet ({@code gso_max_segs 1}), so the queue
 * limit counts wire-sized packets, not 64 KB GSO bursts.
 *
 * <p>Routes: c reaches 198.18.3.0/24 via r on path 1 and, from 198.18.2.1 (policy rule, table 102),
 * via r on path 2; s reaches both client subnets via r. The client's 198.18.2.1 is an MPTCP
 * {@code subflow} endpoint on c2, so every MPTCP connection to s has two subflows through the queue.
 * Only addresses in 198.18.0.0/15; namespaces named like the test testbed's. Needs root.
 */
public final class BottleneckNet implements AutoCloseable {
    public static final String SERVER_ADDRESS = "198.18.3.3";
    private static final Pattern LEAF_DROPPED = Pattern.compile("qdisc pfifo 10:.*?dropped (\\d+)", Pattern.DOTALL);
    private static final Pattern CLASS_SENT = Pattern.compile("class htb 1:10 .*?Sent (\\d+) bytes (\\d+) pkt", Pattern.DOTALL);

    private final String client;
    private final String router;
    private final String server;
    private final int rateMbit;
    private final int queuePackets;

    private BottleneckNet(String prefix, int rateMbit, int queuePackets) {
        this.client = prefix + "-c";
        this.router = prefix + "-r";
        this.server = prefix + "-s";
        this.rateMbit = rateMbit;
        this.queuePackets = queuePackets;
    }

    /** Builds the three namespaces, routes and the bottleneck; deletes what it made if a step fails. */
    public static BottleneckNet create(int rateMbit, int queuePackets) throws IOException {
        if (rateMbit < 1 || queuePackets < 1) {
            throw new IllegalArgumentException("the bottleneck needs a rate >= 1 Mbit/s and a queue >= 1 packet, got "
                    + rateMbit + " Mbit/s, " + queuePackets + " packets");
        }
        String prefix = String.format("mpsec-%d-%06x", ProcessHandle.current().pid(), ThreadLocalRandom.current().nextInt(1 << 24));
        BottleneckNet net = new BottleneckNet(prefix, rateMbit, queuePackets);
        try {
            net.build();
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void build() throws IOException {
        for (String ns : List.of(client, router, server)) {
            BenchNet.run("ip", "netns", "add", ns);
            BenchNet.run("ip", "-n", ns, "link", "set", "lo", "up");
        }
        BenchNet.veth(client, "c1", "198.18.1.1", router, "r1", "198.18.1.2");
        BenchNet.veth(client, "c2", "198.18.2.1", router, "r2", "198.18.2.2");
        BenchNet.veth(router, "r3", "198.18.3.2", server, "s3", SERVER_ADDRESS);
        BenchNet.run("ip", "netns", "exec", router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        BenchNet.run("ip", "-n", client, "route", "add", "198.18.3.0/24", "via", "198.18.1.2", "dev", "c1");
        BenchNet.run("ip", "-n", client, "route", "add", "198.18.3.0/24", "via", "198.18.2.2", "dev", "c2", "table", "102");
        BenchNet.run("ip", "-n", client, "rule", "add", "from", "198.18.2.1", "table", "102");
        for (String p : List.of("1", "2")) {
            BenchNet.run("ip", "-n", server, "route", "add", "198.18." + p + ".0/24", "via", "198.18.3.2");
            BenchNet.run("ip", "-n", client, "link", "set", "dev", "c" + p, "gso_max_segs", "1");
        }
        BenchNet.bottleneck(router, "r3", rateMbit, queuePackets);
        for (String ns : List.of(client, server)) {
            try (NetNamespace n = NetNamespace.open(ns); MptcpPathManager pm = MptcpPathManager.open(n)) {
                pm.setLimits(new Limits(4, 4));
                if (ns.equals(client)) {
                    pm.flushEndpoints();
                    pm.addEndpoint(Endpoint.of(InetAddress.getByName("198.18.2.1"), EndpointFlag.SUBFLOW).withId(2)
                            .withIfIndex(PathNet.ifIndex(client, "c2")));
                }
            }
        }
    }

    public String client() {
        return client;
    }

    public String server() {
        return server;
    }

    public int rateMbit() {
        return rateMbit;
    }

    public int queuePackets() {
        return queuePackets;
    }

    public static InetAddress serverAddress() throws IOException {
        return InetAddress.getByName(SERVER_ADDRESS);
    }

    /** The bottleneck's cumulative counters: packets the leaf dropped, bytes and packets HTB sent. */
    public Counters counters() throws IOException {
        String qdisc = BenchNet.output("tc", "-n", router, "-s", "qdisc", "show", "dev", "r3");
        String cls = BenchNet.output("tc", "-n", router, "-s", "class", "show", "dev", "r3");
        Matcher d = LEAF_DROPPED.matcher(qdisc);
        Matcher s = CLASS_SENT.matcher(cls);
        if (!d.find() || !s.find()) {
            throw new IOException("no pfifo 10: / htb 1:10 counters on the router's r3:\n" + qdisc + cls);
        }
        return new Counters(Long.parseLong(d.group(1)), Long.parseLong(s.group(1)), Long.parseLong(s.group(2)));
    }

    /** Bottleneck counters; {@link #minus} gives a window's. */
    public record Counters(long dropped, long sentBytes, long sentPackets) {
        Counters minus(Counters earlier) {
            return new Counters(dropped - earlier.dropped, sentBytes - earlier.sentBytes, sentPackets - earlier.sentPackets);
        }
    }

    @Override
    public void close() {
        for (String ns : List.of(client, router, server)) {
            try {
                BenchNet.run("ip", "netns", "del", ns);
            } catch (IOException | RuntimeException ignored) {
                // best effort: it may not exist if creation failed early
            }
        }
    }
}
