package io.mpsec.agent.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The path-status rules of {@link PathTracker}, on synthetic samples every 100 ms. */
class PathTrackerTest {
    private static final int UP = LinkSample.IFF_UP | LinkSample.IFF_LOWER_UP;
    private static final long STEP = PathTracker.SAMPLE_MILLIS * 1_000_000L;

    /** Two paths with per-step packet increments; {@link #step} advances them. */
    private static final class Bed {
        final PathTracker tracker = new PathTracker();
        long nanos = 1_000_000_000L;
        long[] rx = {0, 0};
        long[] tx = {0, 0};
        int[] flags = {UP, UP};
        final List<PathTracker.Change> changes = new ArrayList<>();

        /** One sample after adding rx/tx packets (1500 bytes each) to path 1 and 2. */
        void step(long rx1, long tx1, long rx2, long tx2) {
            nanos += STEP;
            rx[0] += rx1;
            tx[0] += tx1;
            rx[1] += rx2;
            tx[1] += tx2;
            List<LinkSample> links = List.of(
                    new LinkSample(1, "lo", LinkSample.IFF_LOOPBACK | UP, 0, 0, 0, 0, 0, 0, 0, 0),
                    new LinkSample(2, "c1", flags[0], rx[0] * 1500, tx[0] * 1500, rx[0], tx[0], 0, 0, 0, 0),
                    new LinkSample(3, "c2", flags[1], rx[1] * 1500, tx[1] * 1500, rx[1], tx[1], 0, 0, 0, 0));
            changes.addAll(tracker.update(nanos, nanos / 1_000_000, links));
        }

        void steps(int n, long rx1, long tx1, long rx2, long tx2) {
            for (int i = 0; i < n; i++) {
                step(rx1, tx1, rx2, tx2);
            }
        }

        PathTracker.Tracked get(String name) {
            return tracker.snapshot().stream().filter(t -> t.link().name().equals(name)).findFirst().orElseThrow();
        }
    }

    @Test
    void ratesAreBytesPerSecondOverTheLastSecond() {
        Bed b = new Bed();
        b.steps(20, 100, 200, 0, 0); // 100 packets per 100 ms = 1000 pkt/s = 1.5 MB/s
        assertThat(b.get("c1").rxRate()).isEqualTo(1_500_000.0);
        assertThat(b.get("c1").txRate()).isEqualTo(3_000_000.0);
        assertThat(b.get("c2").rxRate()).isZero();
        assertThat(b.tracker.snapshot()).extracting(t -> t.link().name()).containsExactly("lo", "c1", "c2");
    }

    @Test
    void linkDownIsDownAtTheNextSampleWithTheReason() {
        Bed b = new Bed();
        b.steps(5, 10, 10, 10, 10);
        b.flags[0] = LinkSample.IFF_UP; // carrier lost
        b.step(0, 0, 10, 10);
        assertThat(b.get("c1").status()).isEqualTo(PathStatus.DOWN);
        assertThat(b.get("c1").reason()).isEqualTo("no carrier");
        b.flags[0] = 0;
        b.step(0, 0, 10, 10);
        assertThat(b.get("c1").reason()).contains("administratively");
        assertThat(b.changes).extracting(PathTracker.Change::iface, PathTracker.Change::to)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("c1", PathStatus.DOWN));
        b.flags[0] = UP;
        b.step(5, 5, 10, 10);
        assertThat(b.get("c1").status()).isEqualTo(PathStatus.UP);
    }

    @Test
    void aBusyPathThatStopsReceivingWhileSendingAndTheOtherPathMovesIsSilentAfterOneSecond() {
        Bed b = new Bed();
        b.steps(10, 50, 50, 50, 50);
        int n = 0;
        while (b.get("c1").status() != PathStatus.SILENT && n < 40) {
            b.step(0, 1, 60, 60); // retransmissions go out, nothing comes back
            n++;
        }
        assertThat(b.get("c1").status()).isEqualTo(PathStatus.SILENT);
        assertThat(n * PathTracker.SAMPLE_MILLIS).isBetween(1_000L, 1_000L + 2 * PathTracker.SAMPLE_MILLIS);
        assertThat(b.get("c1").reason()).contains("c2 still receives");
        assertThat(b.get("c2").status()).isEqualTo(PathStatus.UP);
        b.steps(20, 0, 0, 60, 60); // stays silent without new evidence
        assertThat(b.get("c1").status()).isEqualTo(PathStatus.SILENT);
        b.step(3, 3, 60, 60); // it receives again
        assertThat(b.get("c1").status()).isEqualTo(PathStatus.UP);
    }

    @Test
    void notSilentWhenEveryPathStops() {
        Bed b = new Bed();
        b.steps(10, 50, 50, 50, 50);
        b.steps(16, 0, 1, 0, 1);
        assertThat(b.get("c1").status()).isEqualTo(PathStatus.UP);
        b.steps(32, 0, 0, 0, 0); // 3.2 s without traffic
        assertThat(b.get("c1").status()).isEqualTo(PathStatus.IDLE);
        assertThat(b.get("c2").status()).isEqualTo(PathStatus.IDLE);
    }

    @Test
    void notSilentWhenThisHostStoppedSendingToo() {
        Bed b = new Bed();
        b.steps(10, 50, 50, 50, 50);
        b.steps(20, 0, 0, 60, 60); // the connection on c1 ended: no retransmissions
        assertThat(b.get("c1").status()).isEqualTo(PathStatus.UP);
    }

    @Test
    void notSilentWhenThePathCarriedAlmostNothing() {
        Bed b = new Bed();
        b.steps(10, 0, 0, 50, 50);
        b.step(2, 1, 50, 50); // two stray packets (IPv6 router solicitation, ARP)
        b.steps(20, 0, 1, 50, 50);
        assertThat(b.get("c1").status()).isNotEqualTo(PathStatus.SILENT);
    }

    @Test
    void aLinkAlreadyDownWhenFirstSeenIsDownWithoutAChange() {
        PathTracker t = new PathTracker();
        assertThat(t.update(0, 0, List.of(new LinkSample(5, "ifb0", 0, 0, 0, 0, 0, 0, 0, 0, 0)))).isEmpty();
        assertThat(t.snapshot().get(0).status()).isEqualTo(PathStatus.DOWN);
        assertThat(t.update(STEP, 100, List.of(new LinkSample(5, "ifb0", 0, 0, 0, 0, 0, 0, 0, 0, 0)))).isEmpty();
    }

    @Test
    void loopbackIsNeverAPath() {
        Bed b = new Bed();
        b.steps(30, 0, 0, 0, 0);
        assertThat(b.get("lo").status()).isEqualTo(PathStatus.UP);
        assertThat(b.get("lo").link().path()).isFalse();
    }

    @Test
    void aRecreatedInterfaceStartsOver() {
        PathTracker t = new PathTracker();
        t.update(0, 0, List.of(new LinkSample(5, "c1", UP, 1_000_000, 0, 1000, 0, 0, 0, 0, 0)));
        t.update(STEP * 5, 1000, List.of(new LinkSample(9, "c1", UP, 10, 0, 1, 0, 0, 0, 0, 0)));
        assertThat(t.snapshot().get(0).rxRate()).isZero();
        assertThat(t.snapshot().get(0).link().index()).isEqualTo(9);
    }
}
