package io.mpsec.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.paths.JoinGate;
import io.mpsec.ipsec.paths.PathSa;
import io.mpsec.ipsec.paths.RekeyHealth;
import io.mpsec.ipsec.xfrm.SaUsage;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BindersTest {
    final SimpleMeterRegistry reg = new SimpleMeterRegistry();
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    double counter(String name, String... tags) {
        return reg.get(name).tags(tags).functionCounter().count();
    }

    @Test
    void interfaceCountersFollowTheSourceAndRatesArePerSecond() {
        List<LinkStats> links = new ArrayList<>(List.of(new LinkStats(2, "eth0", 1000, 500, 10, 5, 1, 2, 3, 4)));
        InterfaceMetrics m = new InterfaceMetrics("c", () -> List.copyOf(links), nanos::get);
        m.bindTo(reg);
        assertThat(counter("mpsec.interface.bytes", "netns", "c", "interface", "eth0", "direction", "rx")).isEqualTo(1000);
        assertThat(counter("mpsec.interface.bytes", "interface", "eth0", "direction", "tx")).isEqualTo(500);
        assertThat(counter("mpsec.interface.packets", "interface", "eth0", "direction", "rx")).isEqualTo(10);
        assertThat(counter("mpsec.interface.errors", "interface", "eth0", "direction", "tx")).isEqualTo(2);
        assertThat(counter("mpsec.interface.drops", "interface", "eth0", "direction", "tx")).isEqualTo(4);
        // two seconds later: 4000 more bytes received -> 2000 B/s; a new interface appears
        links.set(0, new LinkStats(2, "eth0", 5000, 500, 14, 5, 1, 2, 3, 4));
        links.add(new LinkStats(3, "eth1", 7, 7, 1, 1, 0, 0, 0, 0));
        nanos.addAndGet(2_000_000_000L);
        m.sample();
        assertThat(reg.get("mpsec.interface.throughput").tags("interface", "eth0", "direction", "rx").gauge().value())
                .isEqualTo(2000.0);
        assertThat(m.rate("eth0", false)).isZero();
        assertThat(counter("mpsec.interface.bytes", "interface", "eth1", "direction", "rx")).isEqualTo(7);
        // eth1 vanishes: its meters go
        links.remove(1);
        nanos.addAndGet(1_000_000_000L);
        m.sample();
        assertThat(reg.find("mpsec.interface.bytes").tags("interface", "eth1").meters()).isEmpty();
        assertThat(reg.find("mpsec.interface.bytes").tags("interface", "eth0").meters()).hasSize(2);
    }

    @Test
    void aFailingReadKeepsTheLastValuesAndCountsTheFailure() {
        AtomicReference<Map<String, Long>> v = new AtomicReference<>(Map.of("MPCapableSYNRX", 3L));
        CounterMetrics m = new CounterMetrics("mpsec.mptcp.mib", "d", null, () -> {
            Map<String, Long> x = v.get();
            if (x == null) {
                throw new java.io.IOException("gone");
            }
            return x;
        }, nanos::get);
        m.bindTo(reg);
        assertThat(counter("mpsec.mptcp.mib", "netns", "host", "counter", "MPCapableSYNRX")).isEqualTo(3);
        v.set(null);
        nanos.addAndGet(1_000_000_000L);
        assertThat(counter("mpsec.mptcp.mib", "counter", "MPCapableSYNRX")).isEqualTo(3);
        assertThat(m.readFailures()).isEqualTo(1);
        assertThat(m.lastError()).isEqualTo("gone");
    }

    @Test
    void netstatSectionIsParsedByName() throws Exception {
        String text = "TcpExt: SyncookiesSent EmbryonicRsts\nTcpExt: 1 2\n"
                + "MPTcpExt: MPCapableSYNRX MPJoinSynRx\nMPTcpExt: 5 18446744073709551615\n";
        Map<String, Long> m = ProcCounters.parseNetstat(text, "MPTcpExt");
        assertThat(m).containsExactly(Map.entry("MPCapableSYNRX", 5L), Map.entry("MPJoinSynRx", -1L));
        assertThat(ProcCounters.parseNetstat("TcpExt: A\nTcpExt: 1\n", "MPTcpExt")).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProcCounters.parseNetstat("MPTcpExt: A B\nMPTcpExt: 1\n",
                "MPTcpExt")).hasMessageContaining("2 names but 1 values");
    }

    @Test
    void samplerSamplesASlowBinderEveryNthPeriod() throws Exception {
        AtomicLong every = new AtomicLong();
        AtomicLong third = new AtomicLong();
        Sampler s = new Sampler(java.time.Duration.ofMillis(100));
        try {
            s.add(every::incrementAndGet);
            s.add(third::incrementAndGet, 3);
            Thread.sleep(1_000);
        } finally {
            s.close();
        }
        Thread.sleep(200); // a round under way when closing finishes
        // both once when added, then in the same rounds: the second at every third round (the first
        // may have had one round more, when one ran between the two add calls)
        long n = every.get();
        assertThat(n).isGreaterThan(4);
        assertThat(third.get()).isBetween(1 + (n - 2) / 3, 1 + (n - 1) / 3);
        Sampler other = new Sampler(java.time.Duration.ofSeconds(1));
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> other.add(() -> { }, 0)).hasMessageContaining("at least 1");
        } finally {
            other.close();
        }
    }

    @Test
    void netstatWordsSplitAsTheRegularExpressionDid() {
        for (String s : new String[] {"", "   ", " A  B\tC ", "A", "1 2\u000b3\f4\r5\n", "\tX  Y\t\t"}) {
            assertThat(ProcCounters.words(s)).as("'%s'", s).containsExactly(s.trim().split("\\s+"));
        }
    }

    static PathSa sa(long gen, String src, String dst, long spi, boolean out, byte keyByte) throws Exception {
        byte[] key = new byte[36];
        java.util.Arrays.fill(key, keyByte);
        SecurityAssociation s = SecurityAssociation.builder().source(InetAddress.getByName(src))
                .destination(InetAddress.getByName(dst)).spi(spi).reqid(5).lifetime(Lifetime.seconds(3000, 3600))
                .algorithm(SaAlgorithm.aesGcm(SecretBytes.wrap(key))).build();
        return new PathSa(gen, s, out);
    }

    @Test
    void perSaSeriesComeAndGoWithTheInstalledSasAndCarryNoKey() throws Exception {
        Map<Long, List<PathSa>> installed = new LinkedHashMap<>();
        installed.put(1L, List.of(sa(1, "198.18.1.1", "198.18.1.2", 0x100001, true, (byte) 0xab),
                sa(1, "198.18.1.2", "198.18.1.1", 0x100002, false, (byte) 0xab)));
        Map<Long, SaUsage> usage = new HashMap<>();
        usage.put(0x100001L, new SaUsage(1500, 3, 10_000, 10_005));
        SaMetrics m = new SaMetrics("c", () -> installed, id -> Optional.ofNullable(usage.get(id.spi())), nanos::get,
                () -> 10_100);
        m.bindTo(reg);
        String[] out = {"netns", "c", "src", "198.18.1.1", "dst", "198.18.1.2", "spi", "0x00100001", "direction", "out",
            "generation", "1"};
        assertThat(counter("mpsec.sa.bytes", out)).isEqualTo(1500);
        assertThat(counter("mpsec.sa.packets", out)).isEqualTo(3);
        assertThat(reg.get("mpsec.sa.age").tags(out).gauge().value()).isEqualTo(100);
        assertThat(reg.get("mpsec.sa.lifetime.remaining").tags(out).gauge().value()).isEqualTo(3500);
        // the inbound SA is not in the kernel: zero counters, NaN age
        assertThat(reg.get("mpsec.sa.age").tags("spi", "0x00100002").gauge().value()).isNaN();
        assertThat(m.saCount()).isEqualTo(2);
        // nothing in the registry mentions the key bytes
        reg.getMeters().forEach(meter -> assertThat(meter.getId().toString().toLowerCase()).doesNotContain("abab"));
        // generation 1 retired: its series go away
        installed.clear();
        m.sample();
        assertThat(reg.find("mpsec.sa.bytes").meters()).isEmpty();
        assertThat(m.saCount()).isZero();
    }

    @Test
    void rekeyHealthAndJoinGateDrops() {
        Instant now = Instant.parse("2026-11-29T23:00:00Z");
        RekeyHealth h = new RekeyHealth(RekeyHealth.State.DEGRADED, 4, List.of(), Map.of(), now.minusSeconds(90), 4,
                RekeyHealth.Cause.SOFT_EXPIRE, 3, null, 2, 1, null, null, 0, 0, 0, 0, 0);
        new RekeyMetrics("s", () -> h, () -> now).bindTo(reg);
        assertThat(reg.get("mpsec.rekey.state").tags("state", "DEGRADED").gauge().value()).isEqualTo(1);
        assertThat(reg.get("mpsec.rekey.state").tags("state", "RUNNING").gauge().value()).isZero();
        assertThat(counter("mpsec.rekey.rekeys", "netns", "s")).isEqualTo(3);
        assertThat(counter("mpsec.rekey.overruns")).isEqualTo(1);
        assertThat(reg.get("mpsec.rekey.last.age").gauge().value()).isEqualTo(90);
        assertThat(reg.get("mpsec.rekey.consecutive.failures").gauge().value()).isEqualTo(2);
        assertThat(reg.get("mpsec.rekey.generation").gauge().value()).isEqualTo(4);
        new JoinGateMetrics("s", () -> new JoinGate.Drops(5, 7)).bindTo(reg);
        assertThat(counter("mpsec.joingate.drops", "direction", "out")).isEqualTo(5);
        assertThat(counter("mpsec.joingate.drops", "direction", "in")).isEqualTo(7);
    }
}
