package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.ffi.Syscalls;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SockAddrTest {
    @Test
    void ipv4IsFamilyHostOrderPortNetworkOrder() throws Exception {
        byte[] b = SockAddr.encode(new InetSocketAddress(InetAddress.getByName("198.18.1.2"), 0x1234), Syscalls.AF_INET);
        assertThat(b).hasSize(16).startsWith(2, 0, 0x12, 0x34, (byte) 198, 18, 1, 2, 0, 0, 0, 0);
        assertThat(SockAddr.decode(b, 0, b.length)).isEqualTo(new InetSocketAddress(InetAddress.getByName("198.18.1.2"), 0x1234));
    }

    @Test
    void ipv6RoundTrips() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("::1"), 443);
        byte[] b = SockAddr.encode(a, Syscalls.AF_INET6);
        assertThat(b).hasSize(28);
        assertThat(b[0]).isEqualTo((byte) 10);
        assertThat(SockAddr.decode(b, 0, b.length)).isEqualTo(a);
    }

    @Test
    void ipv4OnAnIpv6SocketIsV4Mapped() throws Exception {
        byte[] b = SockAddr.encode(new InetSocketAddress(InetAddress.getByName("198.18.0.1"), 80), Syscalls.AF_INET6);
        assertThat(b[18]).isEqualTo((byte) 0xff);
        assertThat(b[19]).isEqualTo((byte) 0xff);
        assertThat(SockAddr.decode(b, 0, b.length).getAddress()).isEqualTo(InetAddress.getByName("198.18.0.1"));
    }

    @Test
    void aReportedLengthBeyondTheBufferReadsOnlyTheBuffer() throws Exception {
        // accept(2)/getsockname(2) report the full length of an address they truncated
        byte[] b = SockAddr.encode(new InetSocketAddress(InetAddress.getByName("2001:2::1"), 443), Syscalls.AF_INET6);
        assertThat(SockAddr.decode(b, 0, 128)).isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:2::1"), 443));
        assertThat(SockAddr.decode(java.util.Arrays.copyOf(b, 20), 0, 28)).as("cut inside the address").isNull();
        assertThat(SockAddr.decode(b, b.length, 16)).isNull();
        assertThat(SockAddr.decode(b, -1, 16)).isNull();
        assertThat(SockAddr.decode(b, 0, -5)).isNull();
    }
}
