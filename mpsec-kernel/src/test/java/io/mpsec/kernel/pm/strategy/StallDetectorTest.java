package io.mpsec.kernel.pm.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.diag.SubflowProgress;
import java.net.InetSocketAddress;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The blackhole rules of {@link StallDetector}, on made-up tcp_info readings (pure logic). */
class StallDetectorTest {
    private static final InetSocketAddress L = new InetSocketAddress("198.18.1.1", 40000);
    private static final InetSocketAddress R = new InetSocketAddress("198.18.1.2", 5201);
    private static final Set<Map.Entry<InetSocketAddress, InetSocketAddress>> W = Set.of(new AbstractMap.SimpleImmutableEntry<>(L, R));
    private static final long MS = 1_000_000L;

    private final StallDetector d = new StallDetector(100);

    private static SubflowProgress p(int timeouts, long unacked, long lastAck, long rttMicros, long acked) {
        return new SubflowProgress(L, R, timeouts, 0, unacked, lastAck, rttMicros, 200_000, acked, acked + unacked * 1448);
    }

    @Test
    void progressKeepsASubflowAliveAndSilenceWithDataInFlightStallsIt() {
        assertThat(d.stalled(W, List.of(p(0, 50, 2, 5000, 1000)), 0)).isEmpty();
        assertThat(d.stalled(W, List.of(p(0, 50, 2, 5000, 2000)), 60 * MS)).isEmpty(); // acked moved: clock restarts
        assertThat(d.stalled(W, List.of(p(0, 50, 90, 5000, 2000)), 150 * MS)).isEmpty(); // 90 ms < 100
        assertThat(d.stalled(W, List.of(p(0, 50, 110, 5000, 2000)), 170 * MS)).containsOnlyKeys(L);
    }

    @Test
    void aSenderStartingAfterIdleIsNotStalledThoughItsLastAckIsOld() {
        assertThat(d.stalled(W, List.of(p(0, 0, 5000, 5000, 1000)), 0)).isEmpty(); // idle: nothing in flight
        assertThat(d.stalled(W, List.of(p(0, 40, 5020, 5000, 1000)), 20 * MS)).isEmpty(); // burst starts, old last ACK
        assertThat(d.stalled(W, List.of(p(0, 40, 5060, 5000, 1000)), 60 * MS)).isEmpty(); // no progress for only 40 ms
    }

    @Test
    void aRetransmissionTimeoutWithoutProgressStallsAtOnce() {
        assertThat(d.stalled(W, List.of(p(0, 50, 2, 5000, 1000)), 0)).isEmpty();
        assertThat(d.stalled(W, List.of(p(1, 50, 30, 5000, 1000)), 20 * MS)).containsOnlyKeys(L);
    }

    @Test
    void theThresholdGrowsWithTheRtt() {
        assertThat(d.stalled(W, List.of(p(0, 300, 2, 60_000, 1000)), 0)).isEmpty();
        assertThat(d.stalled(W, List.of(p(0, 300, 150, 60_000, 1000)), 150 * MS)).isEmpty(); // 3 x 60 ms = 180 ms
        assertThat(d.stalled(W, List.of(p(0, 300, 190, 60_000, 1000)), 190 * MS)).containsOnlyKeys(L);
    }

    @Test
    void unwatchedOrVanishedSubflowsAreForgotten() {
        assertThat(d.stalled(W, List.of(p(0, 50, 2, 5000, 1000)), 0)).isEmpty();
        assertThat(d.stalled(W, List.of(), 100 * MS)).isEmpty(); // gone from the dump: forgotten
        // seen again: a fresh clock, so 200 ms of silence since the first reading does not count
        assertThat(d.stalled(W, List.of(p(0, 50, 300, 5000, 1000)), 200 * MS)).isEmpty();
        assertThat(d.stalled(Set.of(), List.of(p(0, 50, 400, 5000, 1000)), 300 * MS)).isEmpty();
    }

    @Test
    void aNonPositiveMinimumIsRefused() {
        assertThatThrownBy(() -> new StallDetector(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    }
}
