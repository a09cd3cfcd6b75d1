package io.mpsec.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The extra arguments of {@code ./mpsec bench NAME -p key=value} replace the run's own value for that key. */
class SuiteArgsTest {
    @Test
    void anExtraParameterReplacesTheRunsOwnValue() {
        List<String> own = List.of("-p", "runs=3", "-p", "seconds=30", "-f", "1");
        assertThat(Suite.overridden(own, List.of("-p", "runs=5"))).containsExactly("-p", "seconds=30", "-f", "1");
    }

    @Test
    void otherParametersAndOptionsStay() {
        List<String> own = List.of("-p", "pm=DEFAULT,BACKUP");
        assertThat(Suite.overridden(own, List.of("-p", "cuts=10", "-wi", "0"))).containsExactly("-p", "pm=DEFAULT,BACKUP");
        assertThat(Suite.overridden(own, List.of())).isEqualTo(own);
    }

    @Test
    void aKeyIsMatchedWholeNotByPrefix() {
        List<String> own = List.of("-p", "cutsPerStream=10");
        assertThat(Suite.overridden(own, List.of("-p", "cuts=20"))).containsExactly("-p", "cutsPerStream=10");
    }
}
