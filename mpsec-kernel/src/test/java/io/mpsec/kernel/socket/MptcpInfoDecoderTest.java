package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.MptcpConnectionInfo;
import io.mpsec.kernel.ffi.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every size struct mptcp_info has had, decoded by the length the kernel returned. */
class MptcpInfoDecoderTest {
    /** A 96-byte struct with a distinct value in every field (as Linux 6.10+ returns it). */
    static byte[] full() {
        byte[] b = new byte[96];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (i + 1);                       // subflows .. add_addr_accepted_max = 1..6
        }
        Bytes.putIntLE(b, 8, 3);                          // flags: fallback | remote key
        Bytes.putIntLE(b, 12, 0xF0000001);                // token, unsigned
        putLong(b, 16, 0x1111_2222_3333_4444L);
        putLong(b, 24, 0x5555L);
        putLong(b, 32, 0x6666L);
        b[40] = 7;
        b[41] = 8;
        b[42] = 1;
        Bytes.putIntLE(b, 44, 9);
        putLong(b, 48, 10);
        putLong(b, 56, 11);
        putLong(b, 64, 12);
        putLong(b, 72, 13);
        b[80] = 4;
        Bytes.putIntLE(b, 84, 14);
        Bytes.putIntLE(b, 88, 15);
        Bytes.putIntLE(b, 92, 16);
        return b;
    }

    static void putLong(byte[] b, int off, long v) {
        Bytes.putIntLE(b, off, (int) v);
        Bytes.putIntLE(b, off + 4, (int) (v >>> 32));
    }

    static byte[] prefix(int len) {
        byte[] out = new byte[len];
        byte[] f = full();
        System.arraycopy(f, 0, out, 0, Math.min(len, f.length));
        return out;
    }

    @Test
    void linux59Has40Bytes() throws Exception {
        MptcpConnectionInfo i = MptcpInfoDecoder.decode(prefix(40));
        assertThat(i.subflows()).isEqualTo(1);
        assertThat(i.addAddrAcceptedMax()).isEqualTo(6);
        assertThat(i.token()).isEqualTo(0xF0000001L);
        assertThat(i.writeSeq()).isEqualTo(0x1111_2222_3333_4444L);
        assertThat(i.rcvNxt()).isEqualTo(0x6666L);
        assertThat(i.localAddrUsed()).isEmpty();
        assertThat(i.checksumEnabled()).isEmpty();
        assertThat(i.bytesSent()).isEmpty();
        assertThat(i.subflowsTotal()).isEmpty();
        assertThat(i.lastDataSentMillis()).isEmpty();
        assertThat(i.pathsInUse()).as("subflows + initial subflow").isEqualTo(2);
        assertThat(i.structSize()).isEqualTo(40);
    }

    @Test
    void linux514Has48Bytes() throws Exception {
        MptcpConnectionInfo i = MptcpInfoDecoder.decode(prefix(48));
        assertThat(i.localAddrUsed()).hasValue(7);
        assertThat(i.localAddrMax()).hasValue(8);
        assertThat(i.checksumEnabled()).contains(true);
        assertThat(i.retransmits()).as("6.5 field absent in a 48-byte struct").isEmpty();
        assertThat(i.bytesAcked()).isEmpty();
    }

    @Test
    void linux65Has80Bytes() throws Exception {
        MptcpConnectionInfo i = MptcpInfoDecoder.decode(prefix(80));
        assertThat(i.retransmits()).hasValue(9);
        assertThat(i.bytesRetrans()).hasValue(10);
        assertThat(i.bytesSent()).hasValue(11);
        assertThat(i.bytesReceived()).hasValue(12);
        assertThat(i.bytesAcked()).hasValue(13);
        assertThat(i.subflowsTotal()).isEmpty();
        assertThat(i.pathsInUse()).isEqualTo(2);
    }

    @Test
    void linux68Has88BytesWithSubflowsTotalButNoLastActivityTimes() throws Exception {
        MptcpConnectionInfo i = MptcpInfoDecoder.decode(prefix(88));
        assertThat(i.subflowsTotal()).hasValue(4);
        assertThat(i.pathsInUse()).isEqualTo(4);
        assertThat(i.lastDataSentMillis()).isEmpty();
        assertThat(i.lastAckRecvMillis()).isEmpty();
    }

    @Test
    void linux610Has96BytesAndPathsInUseIsSubflowsTotal() throws Exception {
        MptcpConnectionInfo i = MptcpInfoDecoder.decode(full());
        assertThat(i.subflowsTotal()).hasValue(4);
        assertThat(i.pathsInUse()).as("subflows_total, not mptcpi_subflows").isEqualTo(4);
        assertThat(i.lastDataSentMillis()).hasValue(14);
        assertThat(i.lastDataRecvMillis()).hasValue(15);
        assertThat(i.lastAckRecvMillis()).hasValue(16);
        assertThat(i.fallback()).isTrue();
        assertThat(i.structSize()).isEqualTo(96);
    }

    @Test
    void futureLongerStructDecodesTheKnownPrefix() throws Exception {
        byte[] b = new byte[128];
        System.arraycopy(full(), 0, b, 0, 96);
        MptcpConnectionInfo i = MptcpInfoDecoder.decode(b);
        assertThat(i.subflowsTotal()).hasValue(4);
        assertThat(i.structSize()).isEqualTo(128);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 8, 39})
    void tooShortIsRejected(int len) {
        assertThatThrownBy(() -> MptcpInfoDecoder.decode(new byte[len]))
                .isInstanceOf(io.mpsec.kernel.netlink.NetlinkFormatException.class).hasMessageContaining("at least 40");
    }

    @Test
    void knownSizesAreTheOnesTested() {
        assertThat(MptcpInfoDecoder.KNOWN_SIZES).containsExactly(40, 48, 80, 88, 96);
    }
}
