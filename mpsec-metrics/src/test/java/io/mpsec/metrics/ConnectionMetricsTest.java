package io.mpsec.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpsec.TcpState;
import io.mpsec.kernel.diag.ConnectionSnapshot;
import io.mpsec.kernel.diag.NamespaceConnections;
import io.mpsec.kernel.diag.SubflowSnapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The connection binder's logic over a fake source: aggregates, opt-in capped per-connection series, tags. */
class ConnectionMetricsTest {
    final SimpleMeterRegistry reg = new SimpleMeterRegistry();
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final AtomicReference<List<ConnectionSnapshot>> conns = new AtomicReference<>(List.of());
    final AtomicReference<IOException> failure = new AtomicReference<>();

    ConnectionMetrics binder() {
        return new ConnectionMetrics("c", () -> {
            if (failure.get() != null) {
                throw failure.get();
            }
            return new NamespaceConnections("c", 0, conns.get());
        }, null, nanos::get);
    }

    static ConnectionSnapshot conn(long token, int port, boolean fallback, int subflows) throws Exception {
        InetSocketAddress local = new InetSocketAddress(InetAddress.getByName("198.18.1.1"), port);
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName("198.18.1.2"), 5000);
        List<SubflowSnapshot> sfs = new ArrayList<>();
        for (int i = 0; i < subflows; i++) {
            sfs.add(new SubflowSnapshot(local, remote, TcpState.ESTABLISHED, i, 0, 100, 10, 1000, 0, 1000, 0, i > 0, "cubic"));
        }
        return new ConnectionSnapshot(token, local, remote, TcpState.ESTABLISHED, fallback, 5000 + token, 7, sfs);
    }

    double gauge(String name, String... tags) {
        return reg.get(name).tags(tags).gauge().value();
    }

    void later() {
        nanos.addAndGet(1_000_000_000L);
    }

    @Test
    void aggregatesCountConnectionsSubflowsAndFallbacksWithoutPerConnectionSeries() throws Exception {
        conns.set(List.of(conn(0xa1, 40000, false, 2), conn(0xb2, 40001, true, 1)));
        ConnectionMetrics m = binder();
        m.bindTo(reg);
        assertThat(gauge("mpsec.mptcp.connections", "netns", "c")).isEqualTo(2);
        assertThat(gauge("mpsec.mptcp.subflows", "netns", "c")).isEqualTo(3);
        assertThat(gauge("mpsec.mptcp.fallback.connections", "netns", "c")).isEqualTo(1);
        // off by default: no series names a connection, no tag carries a token
        assertThat(reg.find("mpsec.mptcp.connection.subflows").meters()).isEmpty();
        assertThat(reg.getMeters()).allSatisfy(x -> assertThat(x.getId().getTag("token")).isNull());
        // a failed read keeps the last values and is counted
        failure.set(new IOException("sock_diag gone"));
        later();
        m.sample();
        assertThat(gauge("mpsec.mptcp.connections", "netns", "c")).isEqualTo(2);
        assertThat(gauge("mpsec.metrics.read.failures", "source", "mpsec.mptcp.connections")).isEqualTo(1);
    }

    @Test
    void perConnectionSeriesAreOptInCappedAndFollowTheConnections() throws Exception {
        List<ConnectionSnapshot> three = List.of(conn(0xa1, 40000, false, 2), conn(0xb2, 40001, true, 1),
                conn(0xc3, 40002, false, 1));
        conns.set(three);
        ConnectionMetrics m = binder().perConnectionSeries(true).maxConnectionSeries(2);
        m.bindTo(reg);
        assertThat(m.seriesCount()).isEqualTo(2);
        assertThat(gauge("mpsec.mptcp.connection.series.dropped", "netns", "c")).isEqualTo(1);
        assertThat(gauge("mpsec.mptcp.connection.subflows", "token", "a1", "connection", "1")).isEqualTo(2);
        assertThat(reg.get("mpsec.mptcp.connection.bytes").tags("token", "a1", "direction", "sent").functionCounter().count())
                .isEqualTo(5000 + 0xa1);
        assertThat(reg.get("mpsec.mptcp.connection.bytes").tags("token", "b2", "direction", "received").functionCounter()
                .count()).isEqualTo(7);
        // a1 closes: its series go, c3 gets the free place with the next local id
        conns.set(List.of(three.get(1), three.get(2)));
        later();
        m.sample();
        assertThat(reg.find("mpsec.mptcp.connection.subflows").tag("token", "a1").meters()).isEmpty();
        assertThat(gauge("mpsec.mptcp.connection.subflows", "token", "c3", "connection", "3")).isEqualTo(1);
        assertThat(gauge("mpsec.mptcp.connection.series.dropped", "netns", "c")).isZero();
        for (Meter x : reg.find("mpsec.mptcp.connection.bytes").meters()) {
            assertThat(x.getId().getTags()).extracting(t -> t.getKey())
                    .containsExactlyInAnyOrder("netns", "connection", "token", "direction");
        }
    }

    @Test
    void aCapOutsideItsRangeIsRefusedWithWhatToDo() {
        assertThatThrownBy(() -> binder().maxConnectionSeries(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("perConnectionSeries(false)");
    }

    @Test
    void jvmSocketsAreCountedWithoutNamespace() {
        AtomicLong open = new AtomicLong(3);
        new MpsecSocketMetrics(open::get, () -> 1).bindTo(reg);
        assertThat(reg.get("mpsec.sockets.open").gauge().value()).isEqualTo(3);
        open.set(1);
        assertThat(reg.get("mpsec.sockets.open").gauge().value()).isEqualTo(1);
        assertThat(reg.get("mpsec.sockets.leaked").functionCounter().count()).isEqualTo(1);
    }
}
