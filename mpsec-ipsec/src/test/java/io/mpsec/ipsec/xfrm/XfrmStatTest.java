package io.mpsec.ipsec.xfrm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class XfrmStatTest {
    /** The first lines of /proc/net/xfrm_stat as Linux 6.18 prints them, plus a counter from the future. */
    static final String TEXT = "XfrmInError             \t1\n"
            + "XfrmInNoStates          \t2\n"
            + "XfrmInStateProtoError   \t3\n"
            + "XfrmInStateSeqError     \t4\n"
            + "XfrmInPolBlock          \t5\n"
            + "XfrmOutNoStates         \t6\n"
            + "XfrmOutPolBlock         \t18446744073709551615\n"
            + "XfrmOutNoQueueSpace     \t8\n"
            + "XfrmFromTheFuture       \t9\n";

    @Test
    void parsesNamedAndUnknownCounters() throws Exception {
        XfrmStat s = XfrmStat.parse(TEXT);
        assertThat(s.inError()).isEqualTo(1);
        assertThat(s.inNoStates()).isEqualTo(2);
        assertThat(s.inStateProtoError()).isEqualTo(3);
        assertThat(s.inStateSeqError()).isEqualTo(4);
        assertThat(s.inPolBlock()).isEqualTo(5);
        assertThat(s.outNoStates()).isEqualTo(6);
        assertThat(Long.toUnsignedString(s.outPolBlock())).isEqualTo("18446744073709551615");
        assertThat(s.outNoQueueSpace()).isEqualTo(8);
        assertThat(s.unknown()).containsExactly(java.util.Map.entry("XfrmFromTheFuture", 9L));
        assertThat(s.all()).hasSize(9).containsKeys("XfrmInError", "XfrmFromTheFuture");
        assertThat(s.has("XfrmAcquireError")).isFalse();
        assertThat(s.acquireError()).isZero();
        assertThat(s.toString()).contains("XfrmInNoStates=2");
        assertThat(XfrmStat.KNOWN).hasSize(32);
    }

    @Test
    void aMalformedLineIsAClearError() {
        assertThatThrownBy(() -> XfrmStat.parse("XfrmInError 1\nXfrmInNoStates\n")).isInstanceOf(IOException.class)
                .hasMessageContaining("'XfrmInNoStates'");
        assertThatThrownBy(() -> XfrmStat.parse("XfrmInError x\n")).isInstanceOf(IOException.class);
    }

    @Test
    void thisHostsOwnCountersParseAndAreAllNamed() throws Exception {
        XfrmStat s = XfrmStat.read(null);
        assertThat(s.all()).hasSizeGreaterThanOrEqualTo(28);
        assertThat(s.has("XfrmOutPolBlock")).isTrue();
        assertThat(s.unknown()).as("counters of this kernel that XfrmStat has no accessor for").isEmpty();
    }
}
