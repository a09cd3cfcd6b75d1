package io.mpsec.agent.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {
    private static List<String> steps(FaultSchedule s, int duration, int upTo) {
        List<String> out = new ArrayList<>();
        for (int t = 1; t <= upTo; t++) {
            FaultSchedule.Step step = s.at(t, duration);
            if (step instanceof FaultSchedule.Cut c) {
                out.add(t + " cut " + c.kind());
            } else if (step instanceof FaultSchedule.Restore) {
                out.add(t + " restore");
            }
        }
        return out;
    }

    @Test
    void cutsAlternateLinkDownAndBlackholeAndAreRestored() {
        assertThat(steps(FaultSchedule.standard(), 0, 75))
                .containsExactly("10 cut LINK_DOWN", "18 restore", "40 cut BLACKHOLE", "48 restore", "70 cut LINK_DOWN");
    }

    @Test
    void aCutThatWouldOutlastTheRunIsNotStarted() {
        assertThat(steps(FaultSchedule.standard(), 20, 20)).containsExactly("10 cut LINK_DOWN", "18 restore");
        assertThat(steps(FaultSchedule.standard(), 18, 18)).doesNotContain("10 cut LINK_DOWN");
        assertThat(steps(FaultSchedule.none(), 0, 100)).isEmpty();
    }

    @Test
    void aScheduleThatCannotWorkIsRefused() {
        assertThatThrownBy(() -> new FaultSchedule(true, 10, 30, 30)).hasMessageContaining("longer than the hold");
    }
}
