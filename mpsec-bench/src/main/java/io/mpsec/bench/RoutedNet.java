package io.mpsec.bench;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.MptcpPathManager;
import io.mpsec.pm.Limits;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two disjoint paths from a client through a forwarding router to a server, with each path's
 * bottleneck on the router, for {@link ResponsivenessBenchmark}: a queue on the router drops
 * packets, which HTB on a local sender's own egress never does (TCP small queues hold the sender).
 *
 * <pre>
 *   c1 198.18.1.1 - r1 198.18.1.2   r3 198.18.3.2 -[HTB, pfifo limit 100]-&gt; s3 198.18.3.3   link A
 *   c2 198.18.2.1 - r2 198.18.2.2   r4 198.18.4.2 -[HTB, pfifo limit 100]-&gt; s4 198.18.4.3   link B
 * </pre>
 * Both subflows go to 198.18.3.3; source routes on c and r keep path 1 (from 198.18.1.1) on link A
 * and path 2 (from 198.18.2.1, a subflow endpoint) on link B; c sends MTU-sized segments
 * ({@code gso_max_segs 1}), so the queue limit counts wire packets. With a delay, each path's
 * client-to-server packets pass a {@link DelayLine} on r ({@code dl1}, {@code dl2}) before the
 * bottleneck, so each path has that much round-trip time before any queue. Needs root, and gcc for a delay.
 */
public final class RoutedNet implements AutoCloseable {
    static final int QUEUE_PACKETS = 100;
    private static final Pattern SENT = Pattern.compile("Sent (\\d+) bytes (\\d+) pkt \\(dropped (\\d+)");

    private final String c;
    private final String r;
    private final String s;
    private final List<DelayLine> lines = new java.util.ArrayList<>();
    private final java.util.Map<String, DelayLine.Counts> delayCounts = new java.util.LinkedHashMap<>();

    private RoutedNet(String prefix) {
        c = prefix + "-c";
        r = prefix + "-r";
        s = prefix + "-s";
    }

    /** Builds the namespaces, links, routes and both bottlenecks at {@code mbit}; deletes what it made if a step fails. */
    public static RoutedNet create(int mbit) throws IOException {
        return create(mbit, 0);
    }

    /** As {@link #create(int)}, with {@code delayMillis} of delay on each path (0: none). */
    public static RoutedNet create(int mbit, int delayMillis) throws IOException {
        RoutedNet net = new RoutedNet(String.format("mpsec-%d-%06x", ProcessHandle.current().pid(), ThreadLocalRandom.current().nextInt(1 << 24)));
        try {
            net.build(mbit);
            if (delayMillis > 0) {
                net.delay(delayMillis);
            }
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void build(int mbit) throws IOException {
        for (String ns : List.of(c, r, s)) {
            BenchNet.run("ip", "netns", "add", ns);
            BenchNet.run("ip", "-n", ns, "link", "set", "lo", "up");
            BenchNet.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=0",
                    "net.ipv4.conf.default.rp_filter=0");
        }
        BenchNet.veth(c, "c1", "198.18.1.1", r, "r1", "198.18.1.2");
        BenchNet.veth(c, "c2", "198.18.2.1", r, "r2", "198.18.2.2");
        BenchNet.veth(r, "r3", "198.18.3.2", s, "s3", "198.18.3.3");
        BenchNet.veth(r, "r4", "198.18.4.2", s, "s4", "198.18.4.3");
        BenchNet.run("ip", "netns", "exec", r, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        BenchNet.runWithInput(String.join("\n",
                "route add 198.18.3.0/24 via 198.18.1.2 dev c1",
                "route add 198.18.3.0/24 via 198.18.2.2 dev c2 table 102",
                "rule add from 198.18.2.1 lookup 102 pref 1000",
                "link set dev c1 gso_max_segs 1",
                "link set dev c2 gso_max_segs 1") + "\n", "ip", "-n", c, "-batch", "-");
        BenchNet.runWithInput("route add 198.18.3.0/24 via 198.18.4.3 dev r4 table 102\nrule add from 198.18.2.0/24 lookup 102 pref 1000\n",
                "ip", "-n", r, "-batch", "-");
        BenchNet.runWithInput("route add 198.18.1.0/24 via 198.18.3.2 dev s3\nroute add 198.18.2.0/24 via 198.18.4.2 dev s4\n",
                "ip", "-n", s, "-batch", "-");
        for (String dev : List.of("r3", "r4")) {
            BenchNet.bottleneck(r, dev, mbit, QUEUE_PACKETS);
        }
        for (String ns : List.of(c, s)) {
            try (NetNamespace n = NetNamespace.open(ns); MptcpPathManager pm = MptcpPathManager.open(n)) {
                pm.setLimits(new Limits(4, 4));
            }
        }
        BenchNet.run("ip", "-n", c, "mptcp", "endpoint", "add", "198.18.2.1", "dev", "c2", "subflow");
    }

    /** One delay line per path (one each, so the two share no queue or thread), entered by the packets arriving from c. */
    private void delay(int millis) throws IOException {
        for (int path = 1; path <= 2; path++) {
            DelayLine line = DelayLine.start(r, "dl" + path, millis * 1000L);
            lines.add(line);
            BenchNet.runWithInput(String.format("route add default dev dl%d table %d%nrule add iif r%d lookup %d pref %d%n",
                    path, 200 + path, path, 200 + path, 500 + path), "ip", "-n", r, "-batch", "-");
        }
    }

    /** What each delay line counted, by device; filled by {@link #close()}. */
    public java.util.Map<String, DelayLine.Counts> delayCounts() {
        return delayCounts;
    }

    public String client() {
        return c;
    }

    public String server() {
        return s;
    }

    /** The address both subflows connect to. */
    public static String serverAddress() {
        return "198.18.3.3";
    }

    /** Sets link {@code link} ('A' or 'B') to {@code mbit}. */
    public void setRate(char link, int mbit) throws IOException {
        BenchNet.run("tc", "-n", r, "class", "change", "dev", dev(link), "parent", "1:", "classid", "1:10", "htb",
                "rate", mbit + "mbit", "ceil", mbit + "mbit");
    }

    /** {bytes sent, packets sent, packets dropped} of the pfifo on r's egress of {@code link}. */
    public long[] counters(char link) throws IOException {
        String out = BenchNet.output("tc", "-n", r, "-s", "qdisc", "show", "dev", dev(link), "parent", "1:10");
        Matcher m = SENT.matcher(out);
        if (!m.find()) {
            throw new IOException("no pfifo counters on r's " + dev(link) + ": " + out);
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }

    public String router() {
        return r;
    }

    /** r's device towards s on {@code link} ('A' or 'B'), whose egress holds that link's bottleneck. */
    static String dev(char link) {
        return link == 'A' ? "r3" : "r4";
    }

    @Override
    public void close() {
        for (DelayLine line : lines) {
            DelayLine.Counts counts = line.stop();
            System.out.println("delay line " + line.device() + ": " + counts);
            if (counts != null) {
                delayCounts.put(line.device(), counts);
            }
        }
        lines.clear();
        for (String ns : List.of(c, r, s)) {
            try {
                BenchNet.run("ip", "netns", "del", ns);
            } catch (IOException | RuntimeException ignored) {
                // best effort: it may not exist if creation failed early
            }
        }
    }
}
