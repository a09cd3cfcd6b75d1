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
}
