package io.mpsec.metrics.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpsec.ipsec.inspect.InspectorVerdict;
import io.mpsec.ipsec.inspect.InterfaceTraffic;
import io.mpsec.ipsec.inspect.PeerTrafficCounters;
import io.mpsec.ipsec.inspect.TrafficCount;
import io.mpsec.ipsec.inspect.TrafficVerdict;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PacketSecurityMetricsTest {
    static final long S = 1_000_000_000L;
    final SimpleMeterRegistry reg = new SimpleMeterRegistry();
    final AtomicLong nanos = new AtomicLong(S);
    final AtomicReference<Map<String, InterfaceTraffic>> kernel = new AtomicReference<>(read(0, 0, 0));
    final Clock clock = Clock.fixed(Instant.parse("2026-11-30T02:00:00Z"), ZoneOffset.UTC);

    static TrafficCount c(long p) {
        return new TrafficCount(p, p * 100);
    }

    /** c1 with {@code esp} ESP packets each way and {@code tcp} TCP out; c2 quiet; the unlisted bucket with {@code other} in. */
    static Map<String, InterfaceTraffic> read(long esp, long tcp, long other) {
        Map<String, InterfaceTraffic> m = new LinkedHashMap<>();
        m.put("c1", new InterfaceTraffic("c1", c(esp), c(esp), c(0), c(tcp), c(0), c(0)));
        m.put("c2", InterfaceTraffic.zero("c2"));
        m.put(PeerTrafficCounters.UNLISTED, new InterfaceTraffic(PeerTrafficCounters.UNLISTED, c(0), c(0), c(0), c(0), c(other), c(0)));
        return m;
    }

    PacketSecurityMetrics metrics(PacketSecurityMetrics.Inspector inspector) {
        PacketSecurityMetrics m = new PacketSecurityMetrics("c", kernel::get, Duration.ofSeconds(2), inspector, nanos::get, clock);
        m.bindTo(reg);
        return m;
    }

    void tick(Map<String, InterfaceTraffic> r, PacketSecurityMetrics m) {
        kernel.set(r);
        nanos.addAndGet(S);
        m.sample();
    }

    double verdictGauge(String iface, String verdict) {
        return reg.get("mpsec.packet.security.verdict").tags("netns", "c", "interface", iface, "verdict", verdict).gauge().value();
    }

    @Test
    void countersVerdictsAndBoundedTags() {
        PacketSecurityMetrics m = metrics(null);
        tick(read(10, 0, 0), m);
        assertThat(reg.get("mpsec.packet.security.packets").tags("interface", "c1", "class", "esp", "direction", "out")
                .functionCounter().count()).isEqualTo(10);
        assertThat(reg.get("mpsec.packet.security.bytes").tags("interface", "c1", "class", "esp", "direction", "in")
                .functionCounter().count()).isEqualTo(1000);
        assertThat(verdictGauge("c1", "esp")).isEqualTo(1);
        assertThat(verdictGauge("c1", "cleartext")).isZero();
        assertThat(verdictGauge("c2", "unknown")).isEqualTo(1);
        tick(read(20, 1, 0), m);
        assertThat(m.verdict("c1")).isEqualTo(TrafficVerdict.CLEARTEXT);
        assertThat(verdictGauge("c1", "cleartext")).isEqualTo(1);
        tick(read(30, 1, 0), m);
        tick(read(40, 1, 5), m);
        assertThat(m.verdict("c1")).as("the TCP packet left the 2 s window").isEqualTo(TrafficVerdict.ESP);
        assertThat(m.verdict(PeerTrafficCounters.UNLISTED)).isEqualTo(TrafficVerdict.CLEARTEXT);

        // 3 interfaces x (12 counters + 3 verdicts) + the failure gauge; no inspector gauges while it is off
        assertThat(reg.getMeters()).hasSize(3 * 15 + 1);
        assertThat(reg.getMeters()).allSatisfy(meter -> assertThat(meter.getId().getTags()).allSatisfy(t ->
                assertThat(List.of("netns", "interface", "class", "direction", "verdict", "source")).contains(t.getKey())));
        List<InterfaceSecurity> snap = m.snapshot();
        assertThat(snap).extracting(InterfaceSecurity::iface).containsExactly(PeerTrafficCounters.UNLISTED, "c1", "c2");
        InterfaceSecurity c1 = snap.get(1);
        assertThat(c1.verdict()).isEqualTo(TrafficVerdict.ESP);
        assertThat(c1.total().espOut().packets()).isEqualTo(40);
        assertThat(c1.window().espOut().packets()).isEqualTo(20);
        assertThat(c1.inspection()).isNull();
    }

    @Test
    void aFailedReadKeepsTheLastValuesAndIsCounted() {
        PacketSecurityMetrics m = new PacketSecurityMetrics("c", () -> {
            throw new IOException("counter esp_in of inet mpsec_stats is missing");
        }, Duration.ofSeconds(2), null, nanos::get, clock);
        m.bindTo(reg);
        m.sample();
        assertThat(m.failures()).isEqualTo(2);
        assertThat(m.lastError()).contains("missing");
        assertThat(reg.get("mpsec.metrics.read.failures").tags("source", "mpsec.packet.security").gauge().value()).isEqualTo(2);
        assertThat(m.snapshot()).isEmpty();
    }

    @Test
    void theInspectorIsOffByDefaultAndRecordsItsVerdictWhenAsked() throws Exception {
        PacketSecurityMetrics off = metrics(null);
        assertThatThrownBy(() -> off.inspect("c1")).isInstanceOf(IllegalStateException.class).hasMessageContaining("off");

        SimpleMeterRegistry r2 = new SimpleMeterRegistry();
        PacketSecurityMetrics on = new PacketSecurityMetrics(null, kernel::get, Duration.ofSeconds(2),
                iface -> new InspectorVerdict(iface, 20, 20, 0, 0, 0, 0), nanos::get, clock);
        on.bindTo(r2);
        assertThat(r2.find("mpsec.packet.security.inspector.verdict").meters()).isEmpty();
        assertThatThrownBy(() -> on.inspect("eth9")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[c1, c2]");
        InspectorVerdict v = on.inspect("c1");
        assertThat(v.verdict()).isEqualTo(TrafficVerdict.ESP);
        assertThat(r2.get("mpsec.packet.security.inspector.verdict").tags("netns", "host", "interface", "c1", "verdict", "esp")
                .gauge().value()).isEqualTo(1);
        assertThat(r2.find("mpsec.packet.security.inspector.verdict").meters()).hasSize(3);
        InterfaceSecurity c1 = on.snapshot().stream().filter(s -> s.iface().equals("c1")).findFirst().orElseThrow();
        assertThat(c1.inspection()).isEqualTo(v);
        assertThat(c1.inspectedAt()).isEqualTo(clock.instant());
        for (Meter meter : r2.getMeters()) {
            assertThat(meter.getId().getTag("netns")).isEqualTo("host");
        }
    }
}
