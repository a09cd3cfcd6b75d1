package io.mpsec.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** Proves the testbed against the real kernel: reachability, HTB, cut, blackhole, counters, teardown. */
class TestbedIT {
    private static final int RATE = 20;
    private static final Path NETNS_DIR = Path.of("/var/run/netns");
    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();
    private static final Set<Long> STARTED = ConcurrentHashMap.newKeySet();

    // paths 1, 2: c-s at 20 Mbit/s; path 3: c-s unshaped; path 4: s-r at 20 Mbit/s
    @RegisterExtension
    static final Testbed NET = Testbed.builder()
            .hosts("c", "s", "r")
            .paths(2, RATE)
            .path("c", "s", 0)
            .path("s", "r", RATE)
            .mptcpLimits(8, 8)
            .build();

    @AfterEach
    void remember() {
        NET.hosts().forEach(h -> SEEN.add(h.namespace()));
    }

    @AfterAll
    static void everyNamespaceAndProcessIsGone() {
        if (SEEN.isEmpty()) {
            return; // no test ran (skipped without root): nothing was built
        }
        for (String ns : SEEN) {
            assertThat(NETNS_DIR.resolve(ns)).as("namespace %s after teardown", ns).doesNotExist();
        }
        for (long pid : STARTED) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("process %d started in a host", pid).isFalse();
        }
    }

    @Test
    void namesAndAddressesFollowThePlan() {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        Testbed.Host r = NET.host("r");
        assertThat(c.namespace()).matches("mpsec-" + ProcessHandle.current().pid() + "-[a-z0-9]{6}-c");
        assertThat(AddressPlan.creatorPid(s.namespace())).hasValue(ProcessHandle.current().pid());
        assertThat(c.address(1).getHostAddress()).isEqualTo("198.18.1.1");
        assertThat(s.address(2).getHostAddress()).isEqualTo("198.18.2.2");
        assertThat(r.address(4).getHostAddress()).isEqualTo("198.18.4.3");
        assertThat(c.iface(3)).isEqualTo("c3");
        assertThat(NET.path(4).iface(r)).isEqualTo("r4");
        assertThat(c.execOk("ip", "-o", "-4", "addr", "show", "dev", "c2").stdout()).contains("198.18.2.1/24");
        assertThat(c.execOk("ip", "-o", "link", "show", "dev", "lo").stdout()).contains("UP");
        // only testbed addresses and loopback exist in a host
        String addrs = s.execOk("ip", "-o", "-4", "addr", "show").stdout();
        for (String line : addrs.strip().split("\n")) {
            assertThat(line).containsAnyOf(" 127.0.0.1/8", " 198.18.");
        }
    }

    @Test
    void hostsReachEachOtherOnEveryPathAndNothingElse() throws Exception {
        Privileged.requireTool("ping", "iputils-ping");
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        Testbed.Host r = NET.host("r");
        for (int p = 1; p <= 3; p++) {
            c.execOk("ping", "-c1", "-W2", s.address(p).getHostAddress());
            assertThat(Transfers.canConnect(s, s.address(p), c, 2_000)).as("TCP c->s on path %d", p).isTrue();
        }
        s.execOk("ping", "-c1", "-W2", r.address(4).getHostAddress());
        assertThat(Transfers.canConnect(r, r.address(4), s, 2_000)).isTrue();
        // r is only on path 4: it has no route to c, and c has none to r
        assertThat(r.exec("ping", "-c1", "-W1", c.address(1).getHostAddress()).ok()).isFalse();
        assertThat(c.exec("ping", "-c1", "-W1", r.address(4).getHostAddress()).ok()).isFalse();
    }

    @Test
    void javaCodeRunsInsideTheNamespace() throws Exception {
        List<String> cIfs = NET.host("c").call(TestbedIT::interfaceNames);
        List<String> sIfs = NET.host("s").call(TestbedIT::interfaceNames);
        // NetworkInterface also merges /proc/net/if_inet6, which shows the *process's* netns (eth0 of the
        // root namespace may appear); the socket-based IPv4 part shows the thread's namespace.
        assertThat(cIfs).contains("lo", "c1", "c2", "c3").doesNotContain("s1", "s4");
        assertThat(sIfs).contains("lo", "s1", "s2", "s3", "s4").doesNotContain("c1");
        assertThat(interfaceNames()).doesNotContain("c1", "s1");
        // a socket bound in c can use c's address; the JVM's own namespace has no such address
        InetAddress c1 = NET.host("c").address(1);
        NET.host("c").call(() -> {
            try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, c1)) {
                return ss.getLocalPort();
            }
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new java.net.ServerSocket(0, 1, c1).close())
                .isInstanceOf(java.net.BindException.class);
    }

    private static List<String> interfaceNames() throws Exception {
        return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .map(NetworkInterface::getName).collect(Collectors.toList());
    }

    @Test
    void htbIsInstalledOnBothEndsAndLimitsThroughput() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        for (Testbed.Host h : List.of(c, s)) {
            String dev = h.iface(1);
            assertThat(h.execOk("tc", "qdisc", "show", "dev", dev).stdout()).contains("qdisc htb 1: root");
            assertThat(h.execOk("tc", "class", "show", "dev", dev).stdout())
                    .contains("class htb 1:10").contains("rate " + RATE + "Mbit").contains("ceil " + RATE + "Mbit");
            assertThat(h.execOk("tc", "qdisc", "show", "dev", h.iface(3)).stdout()).doesNotContain("htb");
        }
        Transfers.Result shaped = Transfers.timed(s, s.address(1), c, Duration.ofMillis(2500));
        Transfers.Result open = Transfers.timed(s, s.address(3), c, Duration.ofMillis(1000));
        System.out.printf("testbed HTB %d Mbit/s path: %.1f Mbit/s (%d bytes); unshaped path: %.1f Mbit/s%n",
                RATE, shaped.mbitPerSecond(), shaped.bytes(), open.mbitPerSecond());
        assertThat(shaped.mbitPerSecond()).isLessThan(RATE * 1.3).isGreaterThan(RATE * 0.3);
        // the measurement can see an unshaped path: it must be clearly faster than the limit
        assertThat(open.mbitPerSecond()).isGreaterThan(RATE * 2.0);
    }

    @Test
    void cutStopsTrafficAndRestoreBringsItBack() throws Exception {
        Privileged.requireTool("ping", "iputils-ping");
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        String target = s.address(1).getHostAddress();
        c.execOk("ping", "-c1", "-W2", target);

        NET.path(1).cut();
        assertThat(c.execOk("cat", "/sys/class/net/c1/operstate").stdout().strip()).isEqualTo("down");
        assertThat(s.execOk("cat", "/sys/class/net/s1/operstate").stdout().strip()).isEqualTo("down");
        assertThat(c.exec("ping", "-c1", "-W1", target).ok()).isFalse();
        assertThat(Transfers.canConnect(s, s.address(1), c, 1_000)).isFalse();
        c.execOk("ping", "-c1", "-W2", s.address(2).getHostAddress()); // the other path is unaffected

        NET.path(1).restore();
        c.execOk("ping", "-c1", "-W2", target);
        assertThat(Transfers.canConnect(s, s.address(1), c, 2_000)).isTrue();
        assertThat(c.execOk("tc", "qdisc", "show", "dev", "c1").stdout()).contains("htb"); // shaping survives
    }

    @Test
    void blackholeDropsTrafficAndRestoreBringsItBack() throws Exception {
        Privileged.requireTool("ping", "iputils-ping");
        Privileged.requireTool("nft", "nftables");
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        String target = s.address(1).getHostAddress();
        c.execOk("ping", "-c1", "-W2", target);

        NET.path(1).blackhole();
        assertThat(s.execOk("nft", "list", "ruleset").stdout()).contains("iifname \"s1\" drop").contains("oifname \"s1\" drop");
        assertThat(c.execOk("cat", "/sys/class/net/c1/operstate").stdout().strip()).isEqualTo("up");
        assertThat(c.exec("ping", "-c1", "-W1", target).ok()).isFalse();
        assertThat(Transfers.canConnect(s, s.address(1), c, 1_000)).isFalse();
        c.execOk("ping", "-c1", "-W2", s.address(2).getHostAddress());

        NET.path(1).restore();
        assertThat(s.execOk("nft", "list", "ruleset").stdout()).doesNotContain("drop");
        c.execOk("ping", "-c1", "-W2", target);
        assertThat(Transfers.canConnect(s, s.address(1), c, 2_000)).isTrue();
    }

    @Test
    void byteCountersFollowTheTraffic() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        Testbed.Path p1 = NET.path(1);
        Testbed.Path p2 = NET.path(2);
        long cTx = p1.txBytes(c);
        long sRx = p1.rxBytes(s);
        long p2Before = p2.bytes(c);
        long size = 2_000_000;
        assertThat(Transfers.sized(s, s.address(1), c, size).bytes()).isEqualTo(size);
        assertThat(p1.txBytes(c) - cTx).isGreaterThanOrEqualTo(size);
        assertThat(p1.rxBytes(s) - sRx).isGreaterThanOrEqualTo(size);
        // counters only grow (late ACKs may still arrive): bytes() lies between two tx+rx readings
        long before = p1.txBytes(c) + p1.rxBytes(c);
        long both = p1.bytes(c);
        long after = p1.txBytes(c) + p1.rxBytes(c);
        assertThat(both).isBetween(before, after);
        assertThat(p2.bytes(c) - p2Before).as("idle path 2").isLessThan(100_000);
    }

    @Test
    void execSysctlLimitsAndBackgroundProcessesAreScopedToTheHost() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        assertThat(c.execOk("ip", "mptcp", "limits", "show").stdout()).contains("subflows 8").contains("add_addr_accepted 8");
        assertThat(c.sysctl("net.mptcp.enabled")).isEqualTo("1");
        c.sysctl("net.mptcp.enabled", "0");
        assertThat(c.sysctl("net.mptcp.enabled")).isEqualTo("0");
        assertThat(s.sysctl("net.mptcp.enabled")).isEqualTo("1");
        assertThat(Files.readString(Path.of("/proc/sys/net/mptcp/enabled")).strip()).isEqualTo("1");

        ExecResult failed = c.exec("sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(failed).isEqualTo(new ExecResult(3, "out\n", "err\n"));

        Process sleeper = c.startProcess("sleep", "600");
        STARTED.add(sleeper.pid());
        assertThat(c.execOk("ip", "netns", "identify", String.valueOf(sleeper.pid())).stdout().strip())
                .isEqualTo(c.namespace());
    }

    @Test
    void teardownHappensAlsoWhenATestFailsAndPerClassSharesOneTopology() {
        TeardownProbe.NAMESPACES.clear();
        TeardownProbe.armed = true;
        TestExecutionSummary summary;
        try {
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(TeardownProbe.class)).build();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            LauncherFactory.create().execute(request, listener);
            summary = listener.getSummary();
        } finally {
            TeardownProbe.armed = false;
        }
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        assertThat(summary.getFailures().get(0).getException()).hasMessageContaining("deliberate failure");
        assertThat(TeardownProbe.NAMESPACES).hasSize(2); // one shared topology of two hosts for both tests
        for (String ns : TeardownProbe.NAMESPACES) {
            assertThat(NETNS_DIR.resolve(ns)).doesNotExist();
        }
        assertThat(TeardownProbe.PIDS).isNotEmpty();
        for (long pid : TeardownProbe.PIDS) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    @Test
    void namespacesOfDeadCreatorsAreRemovedOthersAreKept() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        String dead = AddressPlan.namespaceName(p.pid(), AddressPlan.randomTag(), "x");
        String alive = AddressPlan.namespaceName(ProcessHandle.current().pid(), AddressPlan.randomTag(), "y");
        Shell.runOk(List.of(Privileged.ip(), "netns", "add", dead));
        Shell.runOk(List.of(Privileged.ip(), "netns", "add", alive));
        try {
            Topology.removeStaleNamespaces();
            assertThat(NETNS_DIR.resolve(dead)).doesNotExist();
            assertThat(NETNS_DIR.resolve(alive)).exists();
        } finally {
            Topology.deleteNamespace(dead);
            Topology.deleteNamespace(alive);
        }
        assertThat(NETNS_DIR.resolve(alive)).doesNotExist();
        assertThat(InetAddress.getLoopbackAddress()).isNotNull();
    }
}
