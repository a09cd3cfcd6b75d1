package io.mpsec.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;

/** A testbed path: a veth pair between two hosts, with HTB on both ends when shaped. */
final class PathImpl implements Testbed.Path {
    private static final long UP_TIMEOUT_MS = 10_000;

    private final int number;
    private final HostImpl a;
    private final HostImpl b;
    private final int rateMbit;
    private boolean blackholed;

    PathImpl(int number, HostImpl a, HostImpl b, int rateMbit) {
        this.number = number;
        this.a = a;
        this.b = b;
        this.rateMbit = rateMbit;
    }

    /** Creates the veth pair directly inside both namespaces, addresses it, brings it up and shapes it. */
    void create() {
        String ip = Privileged.ip();
        String ifA = ifaceName(a);
        String ifB = ifaceName(b);
        Shell.runOk(List.of(ip, "link", "add", ifA, "netns", a.namespace(), "type", "veth",
                "peer", "name", ifB, "netns", b.namespace()));
        for (HostImpl h : List.of(a, b)) {
            String dev = ifaceName(h);
            Shell.runOk(List.of(ip, "-n", h.namespace(), "addr", "add", AddressPlan.cidr(number, h.index()), "dev", dev));
            Shell.runOk(List.of(ip, "-n", h.namespace(), "link", "set", "dev", dev, "up"));
            if (rateMbit > 0) {
                // PLATFORM.md recipe: root HTB with one default class at rate = ceil.
                String tc = Privileged.tc();
                h.execOk(tc, "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "10");
                h.execOk(tc, "class", "add", "dev", dev, "parent", "1:", "classid", "1:10", "htb",
                        "rate", rateMbit + "mbit", "ceil", rateMbit + "mbit");
            }
        }
    }

    @Override
    public int number() {
        return number;
    }

    @Override
    public Testbed.Host a() {
        return a;
    }

    @Override
    public Testbed.Host b() {
        return b;
    }

    @Override
    public int rateMbit() {
        return rateMbit;
    }

    @Override
    public String iface(Testbed.Host host) {
        if (host != a && host != b) {
            throw new IllegalArgumentException("host " + host.name() + " is not an end of path " + number
                    + " (" + a.name() + "-" + b.name() + ")");
        }
        return ifaceName(host);
    }

    private String ifaceName(Testbed.Host host) {
        return AddressPlan.iface(host.name(), number);
    }

    @Override
    public synchronized void cut() {
        for (HostImpl h : List.of(a, b)) {
            h.execOk(Privileged.ip(), "link", "set", "dev", ifaceName(h), "down");
        }
    }

    @Override
    public synchronized void blackhole() {
        String nft = Privileged.requireTool("nft", "nftables").toString();
        if (blackholed) {
            return;
        }
        String dev = ifaceName(b);
        String rules = "table inet " + table() + " {\n"
                + "  chain in { type filter hook prerouting priority -300; policy accept; iifname \"" + dev + "\" drop; }\n"
                + "  chain out { type filter hook output priority -300; policy accept; oifname \"" + dev + "\" drop; }\n"
                + "}\n";
        java.nio.file.Path file = null;
        try {
            file = Files.createTempFile("mpsec-nft-", ".nft");
            Files.writeString(file, rules);
            b.execOk(nft, "-f", file.toString());
            blackholed = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // temp file only
                }
            }
        }
    }

    @Override
    public synchronized void restore() {
        if (blackholed) {
            String nft = Privileged.requireTool("nft", "nftables").toString();
            b.execOk(nft, "delete", "table", "inet", table());
            blackholed = false;
        }
        for (HostImpl h : List.of(a, b)) {
            h.execOk(Privileged.ip(), "link", "set", "dev", ifaceName(h), "up");
        }
        awaitUp();
    }

    /** Waits until both ends report operstate "up" (carrier on both sides of the veth). */
    void awaitUp() {
        long deadline = System.currentTimeMillis() + UP_TIMEOUT_MS;
        while (true) {
            if (operstate(a).equals("up") && operstate(b).equals("up")) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("path " + number + " not up after " + UP_TIMEOUT_MS + " ms: "
                        + a.name() + " " + operstate(a) + ", " + b.name() + " " + operstate(b));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for path " + number, e);
            }
        }
    }

    private String operstate(HostImpl h) {
        return h.execOk("cat", "/sys/class/net/" + ifaceName(h) + "/operstate").stdout().strip();
    }

    @Override
    public long bytes(Testbed.Host host) {
        long[] c = counters(host);
        return c[0] + c[1];
    }

    @Override
    public long txBytes(Testbed.Host host) {
        return counters(host)[0];
    }

    @Override
    public long rxBytes(Testbed.Host host) {
        return counters(host)[1];
    }

    /** {tx_bytes, rx_bytes} read from sysfs inside the host's namespace (ip netns exec remounts /sys). */
    private long[] counters(Testbed.Host host) {
        String dir = "/sys/class/net/" + iface(host) + "/statistics/";
        String[] v = host.execOk("cat", dir + "tx_bytes", dir + "rx_bytes").stdout().trim().split("\\s+");
        return new long[] {Long.parseLong(v[0]), Long.parseLong(v[1])};
    }

    private String table() {
        return "mpsec_blackhole_" + number;
    }

    @Override
    public String toString() {
        return "Path[" + number + " " + a.name() + "-" + b.name() + (rateMbit > 0 ? " " + rateMbit + " Mbit/s" : "") + "]";
    }
}
