package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.fuzz.FuzzTarget;
import io.mpsec.kernel.fuzz.Fuzzer;
import io.mpsec.kernel.fuzz.KernelCapture;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fuzzes the decoders of what MPTCP getsockopt returns: struct mptcp_info, the sockaddrs of
 * MPTCP_SUBFLOW_ADDRS and the tcp_info fields of MPTCP_TCPINFO, seeded with the bytes a real
 * connection returned (golden/replies/mptcp-getsockopt.txt).
 */
class SocketStructFuzzTest {
    private static final String CAPTURE = "/golden/replies/mptcp-getsockopt.txt";

    @TestFactory
    Stream<DynamicTest> socketStructDecodersSurviveMutations() throws Exception {
        List<byte[]> hex = KernelCapture.hexLines(CAPTURE);
        byte[] info = hex.get(0);
        List<byte[]> infoSeeds = new ArrayList<>();
        for (int size : MptcpInfoDecoder.KNOWN_SIZES) {
            infoSeeds.add(Arrays.copyOf(info, size));
        }
        infoSeeds.add(info);
        List<FuzzTarget> targets = List.of(
                FuzzTarget.of("MptcpInfoDecoder.decode", infoSeeds, MptcpInfoDecoder::decode)
                        .covers(MptcpInfoDecoder.class).build(),
                FuzzTarget.of("SockAddr.decode", sockaddrs(hex.get(1)), in -> List.of(
                        String.valueOf(SockAddr.decode(in, 0, in.length)), String.valueOf(SockAddr.decode(in, 0, 128)),
                        String.valueOf(SockAddr.decode(in, 4, in.length)), String.valueOf(SockAddr.decode(in, in.length, 16))))
                        .covers(SockAddr.class).build(),
                FuzzTarget.of("TcpInfoDecoder", elements(hex.get(2)), in -> List.of(TcpInfoDecoder.state(in, 0, in.length),
                        TcpInfoDecoder.u32(in, 0, in.length, TcpInfoDecoder.OFF_RTT),
                        TcpInfoDecoder.u32(in, 0, in.length, TcpInfoDecoder.OFF_SND_CWND),
                        TcpInfoDecoder.u64(in, 0, in.length, TcpInfoDecoder.OFF_BYTES_ACKED),
                        TcpInfoDecoder.u64(in, 0, in.length, TcpInfoDecoder.OFF_BYTES_RECEIVED),
                        TcpInfoDecoder.u64(in, 0, in.length, TcpInfoDecoder.OFF_BYTES_SENT)))
                        .covers(TcpInfoDecoder.class).build());
        return targets.stream().map(t -> DynamicTest.dynamicTest(t.name(), () -> {
            Fuzzer.Report r = Fuzzer.run(t);
            assertThat(r.unexpected()).as("unexpected exceptions in %s:%n%s", t.name(), String.join("\n", r.failures()))
                    .isZero();
            assertThat(r.ok()).isPositive();
        }));
    }

    /** The 128-byte sockaddr_storage halves of every struct mptcp_subflow_addrs, plus encoded v4/v6 addresses. */
    static List<byte[]> sockaddrs(byte[] subflowAddrs) throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (byte[] e : elements(subflowAddrs)) {
            out.add(Arrays.copyOfRange(e, 0, 128));
            out.add(Arrays.copyOfRange(e, 128, 256));
        }
        out.add(SockAddr.encode(new InetSocketAddress(InetAddress.getByName("198.18.1.1"), 443), Syscalls.AF_INET));
        out.add(SockAddr.encode(new InetSocketAddress(Inet6Address.getByAddress(null,
                InetAddress.getByName("fe80::1").getAddress(), 3), 80), Syscalls.AF_INET6));
        return out;
    }

    /** The elements after struct mptcp_subflow_data {size_subflow_data, num_subflows, size_kernel, size_user}. */
    static List<byte[]> elements(byte[] data) {
        int hdr = Bytes.intLE(data, 0);
        int n = Bytes.intLE(data, 4);
        int size = Bytes.intLE(data, 12);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Arrays.copyOfRange(data, hdr + i * size, hdr + (i + 1) * size));
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("the capture has no subflow elements");
        }
        return out;
    }
}
