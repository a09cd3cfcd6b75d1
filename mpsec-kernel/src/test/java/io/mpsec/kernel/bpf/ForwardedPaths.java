package io.mpsec.kernel.bpf;

import io.mpsec.testbed.Testbed;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two disjoint paths from a client {@code c} through a forwarding router {@code r} to a server
 * {@code s}, each with its bottleneck on the router, so that the bottleneck queue drops packets a
 * sender's congestion control must react to (HTB on the sender's own egress never drops: TCP small
 * queues and qdisc backpressure stop a local sender first).
 *
 * <pre>
 *   c1 198.18.1.1 --- r1 198.18.1.2   r3 198.18.3.2 --[HTB + pfifo]--&gt; s3 198.18.3.3   link A
 *   c2 198.18.2.1 --- r2 198.18.2.2   r4 198.18.4.2 --[HTB + pfifo]--&gt; s4 198.18.4.3   link B
 * </pre>
 *
 * Both subflows go to the server address 198.18.3.3; source-based routes on c and r send path 1
 * (from 198.18.1.1) over link A and path 2 (from 198.18.2.1) over link B, and s answers each source
 * net over the link it came from. Each link's bottleneck is HTB class 1:10 on r's egress towards s
 * with a {@code pfifo limit 100} leaf. c sends MTU-sized segments ({@code gso_max_segs 1}) so that
 * the 100-packet queue holds 100 wire packets.
 *
 * <p>The testbed must be {@code hosts("c", "r", "s")} with paths c-r, c-r, r-s, r-s in that order,
 * unshaped (this class shapes r's egress itself).
 */
final class ForwardedPaths {
    static final int QUEUE_PACKETS = 100;
    private static final Pattern SENT = Pattern.compile("Sent (\\d+) bytes (\\d+) pkt \\(dropped (\\d+), overlimits \\d+ requeues \\d+\\)");

    private final Testbed.Host c;
    private final Testbed.Host r;
    private final Testbed.Host s;

    private ForwardedPaths(Testbed.Host c, Testbed.Host r, Testbed.Host s) {
        this.c = c;
        this.r = r;
        this.s = s;
    }

    /** Routes and shapes the testbed; both links start at {@code mbit}. */
    static ForwardedPaths build(Testbed net, int mbit) {
        ForwardedPaths p = new ForwardedPaths(net.host("c"), net.host("r"), net.host("s"));
        p.configure(mbit);
        return p;
    }

    private void configure(int mbit) {
        for (Testbed.Host h : new Testbed.Host[] {c, r, s}) {
            h.sysctl("net.ipv4.conf.all.rp_filter", "0");
            h.sysctl("net.ipv4.conf.default.rp_filter", "0");
        }
        r.sysctl("net.ipv4.ip_forward", "1");
        c.execOk("ip", "route", "add", "198.18.3.0/24", "via", "198.18.1.2", "dev", "c1");
        c.execOk("ip", "route", "add", "198.18.3.0/24", "via", "198.18.2.2", "dev", "c2", "table", "102");
        c.execOk("ip", "rule", "add", "from", "198.18.2.1", "lookup", "102", "pref", "1000");
        r.execOk("ip", "route", "add", "198.18.3.0/24", "via", "198.18.4.3", "dev", "r4", "table", "102");
        r.execOk("ip", "rule", "add", "from", "198.18.2.0/24", "lookup", "102", "pref", "1000");
        s.execOk("ip", "route", "add", "198.18.1.0/24", "via", "198.18.3.2", "dev", "s3");
        s.execOk("ip", "route", "add", "198.18.2.0/24", "via", "198.18.4.2", "dev", "s4");
        for (String dev : new String[] {"c1", "c2"}) {
            c.execOk("ip", "link", "set", "dev", dev, "gso_max_segs", "1");
        }
        for (String dev : new String[] {"r3", "r4"}) {
            r.execOk("tc", "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "10");
            r.execOk("tc", "class", "add", "dev", dev, "parent", "1:", "classid", "1:10", "htb",
                    "rate", mbit + "mbit", "ceil", mbit + "mbit");
            r.execOk("tc", "qdisc", "add", "dev", dev, "parent", "1:10", "handle", "10:", "pfifo", "limit", String.valueOf(QUEUE_PACKETS));
        }
    }

    /** The server address both subflows connect to (s on link A). */
    java.net.InetAddress server() throws java.net.UnknownHostException {
        return java.net.InetAddress.getByName("198.18.3.3");
    }

    /** Adds the client's second address as an MPTCP subflow endpoint (path 2). */
    void addSubflowEndpoint() {
        c.execOk("ip", "mptcp", "endpoint", "add", "198.18.2.1", "dev", "c2", "subflow");
    }

    /** Changes link {@code link}'s ("A" or "B") bottleneck rate. */
    void setRate(char link, int mbit) {
        r.execOk("tc", "class", "change", "dev", dev(link), "parent", "1:", "classid", "1:10", "htb",
                "rate", mbit + "mbit", "ceil", mbit + "mbit");
    }

    /** What the pfifo leaf on r's egress of {@code link} counted: {bytes sent, packets sent, dropped}. */
    long[] leafCounters(char link) {
        String out = r.execOk("tc", "-s", "qdisc", "show", "dev", dev(link), "parent", "1:10").stdout();
        Matcher m = SENT.matcher(out);
        if (!out.contains("pfifo") || !m.find()) {
            throw new AssertionError("no pfifo leaf counters on r " + dev(link) + ":\n" + out);
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }

    /** tc's description of the bottleneck of {@code link} (class and leaf), for the test output. */
    String describe(char link) {
        return r.execOk("tc", "class", "show", "dev", dev(link)).stdout().trim() + " | "
                + r.execOk("tc", "qdisc", "show", "dev", dev(link), "parent", "1:10").stdout().trim();
    }

    private static String dev(char link) {
        return switch (link) {
            case 'A' -> "r3";
            case 'B' -> "r4";
            default -> throw new IllegalArgumentException("link must be A or B, got " + link);
        };
    }
}
