package io.mpsec.agent.demo;

import io.mpsec.Mptcp;
import io.mpsec.agent.PeerSecurityWatch;
import io.mpsec.agent.ServeCommand;
import io.mpsec.agent.log.EventLog;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The demo, the way the original MPSec testbed ran it: PC1 and PC2 joined by N rate-limited paths,
 * configured by {@code setup}, PC2 streaming to PC1 over one {@code MpsecSocket} while the dashboard
 * shows every path live, and path 1 cut and restored on a schedule. Every byte is checked at PC1.
 */
public final class StreamDemo {
    private final DemoOptions o;
    private final PrintStream out;
    private volatile boolean stop;

    public StreamDemo(DemoOptions options) {
        this.o = options;
        this.out = options.out();
    }

    /**
     * Ends the stream at the next second, as Ctrl-C does: the demo then verifies what arrived, prints
     * its report and tears the testbed down before {@link #run()} returns.
     */
    public void stop() {
        stop = true;
    }

    /** Runs until the duration ends, {@link #stop()} or Ctrl-C; returns the exit code (0: the stream arrived intact). */
    public int run() throws Exception {
        if (!"0".equals(DemoTestbed.sh("id", "-u").trim())) {
            System.err.println("demo: it builds network namespaces and needs root: run 'sudo ./mpsec demo'");
            return 2;
        }
        if (!Mptcp.isAvailable()) {
            System.err.println("demo: MPTCP is not available here: " + Mptcp.unavailabilityCause().getMessage());
            return 2;
        }
        List<String> stale = DemoTestbed.removeStale();
        if (!stale.isEmpty()) {
            out.println("removed what an earlier demo left behind: " + String.join(", ", stale));
        }
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop = true;
            try {
                done.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mpsec-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return runOnTestbed();
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is waiting for this
            }
        }
    }

    private int runOnTestbed() throws Exception {
        out.printf("MPSec demo: PC1 and PC2 joined by %d path%s of %d Mbit/s (198.18.P.1 <-> 198.18.P.2, HTB)%n",
                o.paths(), o.paths() == 1 ? "" : "s", o.rateMbit());
        try (DemoTestbed net = DemoTestbed.build(o.paths(), o.rateMbit());
             DemoHosts hosts = DemoHosts.create();
             NetNamespace pc1 = NetNamespace.open(net.pc1());
             NetNamespace pc2 = NetNamespace.open(net.pc2())) {
            boolean esp = DemoHosts.espAvailable(net);
            hosts.configure(net, esp, out);
            if (!esp) {
                out.println("IPsec: this kernel has no ESP (xfrm esp4), so the paths run WITHOUT encryption here.");
                out.println("       Run './mpsec demo --lane' to see the same demo with IPsec ESP on every path, in a stock Debian kernel under qemu.");
            }
            List<String> watched = List.of(net.pc1(), net.pc2());
            DashboardAccess access = o.laneGuest() ? DashboardAccess.guest(LaneDemo.GUEST_ADDRESS, o.port(), watched)
                    : DashboardAccess.loopback(o.port(), watched);
            try (ServeCommand.Agent agent = ServeCommand.Agent.start(access.options(), EventLog.stderr());
                 PeerSecurityWatch s1 = watch(agent, net, 1);
                 PeerSecurityWatch s2 = watch(agent, net, 2)) {
                if (access.url() == null) {
                    out.printf("dashboard: http://127.0.0.1:%d/   (metrics: http://127.0.0.1:%d/metrics)%n",
                            agent.server().port(), agent.server().port());
                } else {
                    out.printf("dashboard: %s  (forwarded from the guest; self-signed certificate; sign in with the token %s)%n",
                            access.url(), access.token());
                }
                out.println(o.durationSeconds() == 0 ? "streaming PC2 -> PC1 until Ctrl-C" : "streaming PC2 -> PC1 for " + o.durationSeconds() + " s");
                InetAddress server = InetAddress.getByName(DemoTestbed.address(1, 2));
                try (DemoStream stream = DemoStream.start(pc1, pc2, server)) {
                    RateLog rates = loop(net, stream);
                    DemoStream.Verdict v = stream.finish(30_000);
                    return report(v, rates);
                }
            }
        }
    }

    /** Packet security of host {@code h}: ESP vs cleartext to the other host, per path. */
    private static PeerSecurityWatch watch(ServeCommand.Agent agent, DemoTestbed net, int h) throws IOException {
        List<InetAddress> local = new ArrayList<>();
        List<InetAddress> remote = new ArrayList<>();
        List<String> ifaces = new ArrayList<>();
        for (int p = 1; p <= net.paths(); p++) {
            local.add(InetAddress.getByName(DemoTestbed.address(p, h)));
            remote.add(InetAddress.getByName(DemoTestbed.address(p, 3 - h)));
            ifaces.add(DemoTestbed.iface(h, p));
        }
        String ns = h == 1 ? net.pc1() : net.pc2();
        return PeerSecurityWatch.start(agent, ns, ns, local, remote, ifaces);
    }

    private RateLog loop(DemoTestbed net, DemoStream stream) throws Exception {
        RateLog rates = new RateLog(o.rateMbit());
        long[] last = new long[net.paths() + 1];
        for (int p = 1; p <= net.paths(); p++) {
            last[p] = net.rxBytes(p);
        }
        FaultSchedule.Kind cut = null;
        long start = System.nanoTime();
        long lastRead = start;
        for (int t = 1; !stop && (o.durationSeconds() == 0 || t <= o.durationSeconds()); t++) {
            long wake = start + TimeUnit.SECONDS.toNanos(t);
            long sleep = wake - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
            StringBuilder line = new StringBuilder(String.format("t=%4ds ", t));
            double total = 0;
            double[] perPath = new double[net.paths()];
            // rates over the time that really passed: a slow host (the kernel lane's emulation) may
            // read the counters later than once a second
            long readAt = System.nanoTime();
            double seconds = Math.max(1e-3, (readAt - lastRead) / 1e9);
            lastRead = readAt;
            for (int p = 1; p <= net.paths(); p++) {
                long now = net.rxBytes(p);
                perPath[p - 1] = (now - last[p]) * 8 / 1e6 / seconds;
                last[p] = now;
                total += perPath[p - 1];
                line.append(String.format(" path%d %6.1f", p, perPath[p - 1]));
            }
            rates.add(perPath, cut != null);
            line.append(String.format("  total %6.1f Mbit/s  received %9.1f MB  %s", total, stream.received() / 1e6,
                    stream.mismatchAt() < 0 ? "every byte verified" : "CORRUPT at byte " + stream.mismatchAt()));
            FaultSchedule.Step step = o.faults().at(t, o.durationSeconds());
            if (step instanceof FaultSchedule.Cut c && cut == null && net.paths() > 1) {
                if (c.kind() == FaultSchedule.Kind.LINK_DOWN) {
                    net.linkDown(1);
                } else {
                    net.blackhole(1);
                }
                cut = c.kind();
                rates.changed();
                line.append("  << path 1 cut (").append(c.kind().label).append(")");
            } else if (step instanceof FaultSchedule.Restore && cut != null) {
                net.restore(1);
                cut = null;
                rates.changed();
                line.append("  << path 1 restored");
            } else if (cut != null) {
                line.append("  (path 1 down)");
            }
            out.println(line);
            if (stream.failure() != null) {
                out.println("the stream broke: " + stream.failure());
                break;
            }
        }
        if (cut != null) {
            net.restore(1);
        }
        return rates;
    }

    private int report(DemoStream.Verdict v, RateLog rates) {
        out.printf("%nstream: PC2 sent %.1f MB, PC1 received %.1f MB; %s%n", v.sent() / 1e6, v.received() / 1e6,
                v.intact() ? "every byte verified, SHA-256 equal (nothing lost)"
                        : v.mismatchAt() >= 0 ? "CORRUPT from byte " + v.mismatchAt() : "SHA-256 DIFFERENT or incomplete");
        if (v.failure() != null) {
            out.println("stream error: " + v.failure());
        }
        out.printf("longest wait between two reads at PC1: %d ms%n", v.maxGapMillis());
        double all = rates.allUpMean();
        double cut = rates.cutMean();
        if (!Double.isNaN(all)) {
            out.printf("every path carrying: %.1f Mbit/s on average", all);
            if (!Double.isNaN(cut) && o.paths() > 1 && cut > 0) {
                double perPath = cut / (o.paths() - 1);
                out.printf("; with path 1 cut: %.1f Mbit/s, so %d paths carried %.2fx one path", cut, o.paths(), all / perPath);
            }
            out.println();
        }
        return v.intact() && v.failure() == null ? 0 : 1;
    }
}
