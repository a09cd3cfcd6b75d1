package io.mpsec.ipsec.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficWindowTest {
    static final long S = 1_000_000_000L;

    static Map<String, InterfaceTraffic> read(long esp, long tcp, long other) {
        InterfaceTraffic t = InterfaceTraffic.zero("c1").with(TrafficClass.ESP, false, new TrafficCount(esp, esp * 100))
                .with(TrafficClass.TCP, true, new TrafficCount(tcp, tcp * 60))
                .with(TrafficClass.OTHER, false, new TrafficCount(other, other * 84));
        return Map.of("c1", t);
    }

    @Test
    void verdictFollowsWhatMovedInTheLastWindow() {
        TrafficWindow w = new TrafficWindow(Duration.ofSeconds(3));
        assertThat(w.verdicts()).isEmpty();
        w.add(0, read(0, 0, 0));
        assertThat(w.verdicts()).containsEntry("c1", TrafficVerdict.UNKNOWN);
        w.add(1 * S, read(0, 0, 0));
        assertThat(w.verdicts()).containsEntry("c1", TrafficVerdict.UNKNOWN);
        w.add(2 * S, read(10, 0, 0));
        assertThat(w.verdicts()).containsEntry("c1", TrafficVerdict.ESP);
        assertThat(w.moved().get("c1").espOut()).isEqualTo(new TrafficCount(10, 1000));
        w.add(3 * S, read(20, 1, 0)); // one cleartext TCP packet
        assertThat(w.verdicts()).containsEntry("c1", TrafficVerdict.CLEARTEXT);
        w.add(4 * S, read(30, 1, 0));
        w.add(5 * S, read(40, 1, 0));
        assertThat(w.verdicts()).as("the TCP packet is still inside the 3 s window").containsEntry("c1", TrafficVerdict.CLEARTEXT);
        w.add(6 * S, read(50, 1, 0));
        assertThat(w.verdicts()).as("it left the window").containsEntry("c1", TrafficVerdict.ESP);
        w.add(7 * S, read(50, 1, 1));
        assertThat(w.verdicts()).as("other cleartext counts too").containsEntry("c1", TrafficVerdict.CLEARTEXT);
        for (long t = 8; t <= 11; t++) {
            w.add(t * S, read(50, 1, 1));
        }
        assertThat(w.verdicts()).as("nothing moved for a whole window").containsEntry("c1", TrafficVerdict.UNKNOWN);
    }

    @Test
    void aCounterThatWentBackCountsAsNothingMoved() {
        TrafficWindow w = new TrafficWindow(Duration.ofSeconds(1));
        w.add(0, read(100, 5, 0));
        w.add(S, read(0, 0, 0)); // table removed and installed again
        assertThat(w.verdicts()).containsEntry("c1", TrafficVerdict.UNKNOWN);
    }

    @Test
    void theInspectorsVerdictNeedsEveryPacketReadable() {
        assertThat(new InspectorVerdict("c1", 0, 0, 0, 0, 0, 0).verdict()).isEqualTo(TrafficVerdict.UNKNOWN);
        assertThat(new InspectorVerdict("c1", 5, 5, 0, 0, 0, 0).verdict()).isEqualTo(TrafficVerdict.ESP);
        assertThat(new InspectorVerdict("c1", 6, 5, 1, 0, 0, 0).verdict()).isEqualTo(TrafficVerdict.CLEARTEXT);
        assertThat(new InspectorVerdict("c1", 6, 5, 0, 1, 0, 0).verdict()).isEqualTo(TrafficVerdict.CLEARTEXT);
        assertThat(new InspectorVerdict("c1", 6, 5, 0, 0, 1, 0).verdict()).as("an unreadable packet could hide anything")
                .isEqualTo(TrafficVerdict.UNKNOWN);
    }
}
