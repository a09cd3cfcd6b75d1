package io.mpsec.kernel.bpf;

import io.mpsec.testbed.Testbed;
import java.net.InetAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One shared bottleneck on a forwarding router: hosts {@code c}, {@code r}, {@code s}; two unshaped
 * paths c-r (1 and 2, one per MPTCP subflow) and one path r-s (3). Router {@code r} forwards
 * ({@code ip_forward=1}); on its egress towards {@code s}, and only there, HTB limits the rate
 * (class 1:10) and a {@code pfifo} leaf holds at most {@code queuePackets} packets. Every flow from
 * {@code c} to {@code s} crosses that queue.
 *
 * <p>Why a router: with HTB on the sender's own egress a local TCP sender never sees a drop (TCP Small
 * Queues and qdisc backpressure throttle it), flows never leave slow start and coupling shows nothing.
 * A forwarding queue drops like a real one. The client's devices send one MSS per packet
 * ({@code gso_max_segs 1}), so the queue limit counts wire-sized packets, not 64 KB GSO bursts.
 *
 * <p>Routes: {@code c} reaches 198.18.3.0/24 via r on path 1 (main table) and, for source
 * 198.18.2.1, via r on path 2 (a policy rule, table 102); {@code s} reaches both client subnets via r.
 * The client's second address is an MPTCP {@code subflow} endpoint on {@code c2}.
 */
final class SharedBottleneck {
    static final int BOTTLENECK_PATH = 3;
    private static final Pattern LEAF_DROPPED = Pattern.compile("qdisc pfifo 10:.*?dropped (\\d+)", Pattern.DOTALL);
    private static final Pattern CLASS_SENT = Pattern.compile("class htb 1:10 .*?Sent (\\d+) bytes (\\d+) pkt", Pattern.DOTALL);

    private final Testbed.Host c;
    private final Testbed.Host r;
    private final Testbed.Host s;
    private final int rateMbit;
    private final int queuePackets;

    private SharedBottleneck(Testbed net, int rateMbit, int queuePackets) {
        this.c = net.host("c");
        this.r = net.host("r");
        this.s = net.host("s");
        this.rateMbit = rateMbit;
        this.queuePackets = queuePackets;
    }

    /** The testbed to register: hosts c, r, s; paths c-r, c-r, r-s, all unshaped. */
    static Testbed testbed() {
        return Testbed.builder().hosts("c", "r", "s").path("c", "r", 0).path("c", "r", 0).path("r", "s", 0)
                .mptcpLimits(4, 4).build();
    }

    /** Configures routing, the bottleneck and the client's second MPTCP endpoint on a running {@link #testbed()}. */
    static SharedBottleneck configure(Testbed net, int rateMbit, int queuePackets) {
        SharedBottleneck b = new SharedBottleneck(net, rateMbit, queuePackets);
        b.setUp();
        return b;
    }

    private void setUp() {
        r.sysctl("net.ipv4.ip_forward", "1");
        String dst = "198.18." + BOTTLENECK_PATH + ".0/24";
        c.execOk("ip", "route", "add", dst, "via", r.address(1).getHostAddress(), "dev", c.iface(1));
        c.execOk("ip", "route", "add", dst, "via", r.address(2).getHostAddress(), "dev", c.iface(2), "table", "102");
        c.execOk("ip", "rule", "add", "from", c.address(2).getHostAddress(), "table", "102");
        for (int p = 1; p <= 2; p++) {
            s.execOk("ip", "route", "add", "198.18." + p + ".0/24", "via", r.address(BOTTLENECK_PATH).getHostAddress());
            c.execOk("ip", "link", "set", "dev", c.iface(p), "gso_max_segs", "1");
        }
        String dev = r.iface(BOTTLENECK_PATH);
        String rate = rateMbit + "mbit";
        r.execOk("tc", "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "10");
        r.execOk("tc", "class", "add", "dev", dev, "parent", "1:", "classid", "1:10", "htb", "rate", rate, "ceil", rate);
        r.execOk("tc", "qdisc", "add", "dev", dev, "parent", "1:10", "handle", "10:", "pfifo", "limit", String.valueOf(queuePackets));
        c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
    }

    Testbed.Host client() {
        return c;
    }

    Testbed.Host server() {
        return s;
    }

    /** The server's address behind the bottleneck. */
    InetAddress serverAddress() {
        return s.address(BOTTLENECK_PATH);
    }

    int rateMbit() {
        return rateMbit;
    }

    int queuePackets() {
        return queuePackets;
    }

    /** The bottleneck's counters now: packets the leaf queue dropped, bytes and packets HTB sent. */
    Counters counters() {
        String dev = r.iface(BOTTLENECK_PATH);
        String qdisc = r.execOk("tc", "-s", "qdisc", "show", "dev", dev).stdout();
        String cls = r.execOk("tc", "-s", "class", "show", "dev", dev).stdout();
        Matcher d = LEAF_DROPPED.matcher(qdisc);
        Matcher sent = CLASS_SENT.matcher(cls);
        if (!d.find() || !sent.find()) {
            throw new AssertionError("no pfifo 10: / htb 1:10 counters on " + dev + " of r:\n" + qdisc + cls);
        }
        return new Counters(Long.parseLong(d.group(1)), Long.parseLong(sent.group(1)), Long.parseLong(sent.group(2)));
    }

    /** Bottleneck counters (cumulative); {@link #minus} gives a window's. */
    record Counters(long dropped, long sentBytes, long sentPackets) {
        Counters minus(Counters earlier) {
            return new Counters(dropped - earlier.dropped, sentBytes - earlier.sentBytes, sentPackets - earlier.sentPackets);
        }
    }
}
