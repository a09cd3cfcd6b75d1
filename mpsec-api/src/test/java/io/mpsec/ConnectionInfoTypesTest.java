package io.mpsec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The value types of connection introspection: absent fields, range checks, equality, printing. */
class ConnectionInfoTypesTest {
    private static final InetSocketAddress LOCAL = new InetSocketAddress("198.18.1.1", 40000);
    private static final InetSocketAddress REMOTE = new InetSocketAddress("198.18.1.2", 443);

    @Test
    void fieldsOfNewerKernelsAreAbsentUntilSet() {
        MptcpConnectionInfo old = MptcpConnectionInfo.builder().subflows(1).token(0xF0000001L).structSize(40).build();
        assertThat(old.localAddrUsed()).isEmpty();
        assertThat(old.localAddrMax()).isEmpty();
        assertThat(old.checksumEnabled()).isEmpty();
        assertThat(old.retransmits()).isEmpty();
        assertThat(old.bytesSent()).isEmpty();
        assertThat(old.subflowsTotal()).isEmpty();
        assertThat(old.lastAckRecvMillis()).isEmpty();
        assertThat(old.pathsInUse()).isEqualTo(2);
        assertThat(old.token()).isEqualTo(0xF0000001L);

        MptcpConnectionInfo recent = MptcpConnectionInfo.builder().subflows(1).localAddrs(0, 0).checksumEnabled(false)
                .counters(0, 0, 0, 0, 0).subflowsTotal(1).lastActivityMillis(0, 0, 0).structSize(96).build();
        assertThat(recent.localAddrUsed()).as("a reported zero is not absent").hasValue(0);
        assertThat(recent.checksumEnabled()).contains(false);
        assertThat(recent.bytesSent()).hasValue(0);
        assertThat(recent.subflowsTotal()).hasValue(1);
        assertThat(recent.pathsInUse()).as("subflows_total when reported, even if the estimate differs").isEqualTo(1);
        assertThat(recent.lastDataSentMillis()).hasValue(0);
    }

    @Test
    void unsigned64BitCountersKeepTheirBits() {
        MptcpConnectionInfo i = MptcpConnectionInfo.builder().counters(0, 0, -1L, 0, 0).build();
        assertThat(i.bytesSent()).as("2^64-1 is a value, not 'absent'").hasValue(-1L);
        assertThat(i.toString()).contains("bytesSent=18446744073709551615");
    }

    @Test
    void buildersRejectValuesOutsideTheKernelFieldsWithTheFieldsName() {
        assertThatThrownBy(() -> MptcpConnectionInfo.builder().subflows(256))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subflows").hasMessageContaining("0..255");
        assertThatThrownBy(() -> MptcpConnectionInfo.builder().token(1L << 32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
        assertThatThrownBy(() -> MptcpConnectionInfo.builder().lastActivityMillis(0, -1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lastDataRecvMillis");
        assertThatThrownBy(() -> SubflowInfo.builder(null, REMOTE))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("local address");
        assertThatThrownBy(() -> SubflowInfo.builder(LOCAL, REMOTE).cwnd(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cwnd");
    }

    @Test
    void equalInfosAreEqualAndDifferentOnesAreNot() {
        MptcpConnectionInfo a = MptcpConnectionInfo.builder().subflows(1).token(7).counters(1, 2, 3, 4, 5).structSize(80).build();
        MptcpConnectionInfo b = MptcpConnectionInfo.builder().subflows(1).token(7).counters(1, 2, 3, 4, 5).structSize(80).build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(MptcpConnectionInfo.builder().subflows(1).token(7).structSize(80).build());
        assertThat(a).isNotEqualTo(MptcpConnectionInfo.builder().subflows(1).token(8).counters(1, 2, 3, 4, 5).structSize(80).build());
    }

    @Test
    void infoPrintsWhatWasReportedButNoSequenceNumbers() {
        MptcpConnectionInfo i = MptcpConnectionInfo.builder().token(0xabcdef).flags(MptcpConnectionInfo.FLAG_FALLBACK)
                .sequenceNumbers(0x1234_5678_9abc_def0L, 0x1111_2222_3333L, 0x7777_8888_9999L).structSize(48)
                .localAddrs(1, 2).build();
        assertThat(i.fallback()).isTrue();
        assertThat(i.remoteKeyReceived()).isFalse();
        assertThat(i.toString()).contains("token=00abcdef", "(fallback)", "localAddrUsed=1", "structSize=48")
                .doesNotContain("bytesSent", "subflowsTotal", "checksumEnabled")
                .doesNotContainIgnoringCase("123456789abcdef0", "111122223333", "777788889999")
                .doesNotContain(Long.toString(0x1234_5678_9abc_def0L), Long.toString(0x1111_2222_3333L));
    }

    @Test
    void subflowBackupIsUnknownUntilTheKernelTold() {
        SubflowInfo sf = SubflowInfo.builder(LOCAL, REMOTE).rttMicros(1500).cwnd(10).bytes(100, 200, 101)
                .tcpState(TcpState.ESTABLISHED).build();
        assertThat(sf.backup()).isEmpty();
        assertThat(sf.id()).isEmpty();
        assertThat(sf.toString()).contains("198.18.1.1:40000", "ESTABLISHED", "backup=unknown");
        SubflowInfo known = sf.withBackup(true);
        assertThat(known.backup()).contains(true);
        assertThat(known).isNotEqualTo(sf);
        assertThat(known.withBackup(false).backup()).contains(false);
        assertThat(known.bytesAcked()).isEqualTo(101);
        assertThat(known.rttMicros()).isEqualTo(1500);
        assertThat(sf.withBackup(true)).isEqualTo(known).hasSameHashCodeAs(known);
        assertThat(SubflowInfo.builder(LOCAL, REMOTE).id(3).build().id()).hasValue(3);
    }

    @Test
    void tcpStatesFollowTheKernelsNumbers() {
        // include/net/tcp_states.h
        assertThat(TcpState.of(1)).isEqualTo(TcpState.ESTABLISHED);
        assertThat(TcpState.of(2)).isEqualTo(TcpState.SYN_SENT);
        assertThat(TcpState.of(7)).isEqualTo(TcpState.CLOSE);
        assertThat(TcpState.of(10)).isEqualTo(TcpState.LISTEN);
        assertThat(TcpState.of(12)).isEqualTo(TcpState.NEW_SYN_RECV);
        assertThat(TcpState.of(13)).isEqualTo(TcpState.BOUND_INACTIVE);
        assertThat(TcpState.of(14)).isEqualTo(TcpState.UNKNOWN);
        assertThat(TcpState.of(-1)).isEqualTo(TcpState.UNKNOWN);
        for (TcpState s : TcpState.values()) {
            assertThat(TcpState.of(s.number()) == s || s == TcpState.UNKNOWN).as(s.name()).isTrue();
        }
    }
}
