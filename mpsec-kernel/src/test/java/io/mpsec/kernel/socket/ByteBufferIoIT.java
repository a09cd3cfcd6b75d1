package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.testbed.Testbed;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MpsecSocket.read(ByteBuffer) / write(ByteBuffer): direct, heap (with an array offset) and
 * read-only buffers move intact, positions advance as with a blocking channel, end of stream is -1,
 * SO_TIMEOUT applies, and the streams and the buffer calls interleave on one socket.
 */
class ByteBufferIoIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    @Test
    void directHeapAndReadOnlyBuffersMoveIntact() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        byte[] data = new byte[3_000_000];
        new Random(11).nextBytes(data);
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 50, addr));
             MpsecSocket socket = c.call(() -> new MpsecSocket(addr, server.getLocalPort()));
             MpsecSocket peer = server.accept()) {
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try {
                    MessageDigest md = Payload.sha256();
                    ByteBuffer direct = ByteBuffer.allocateDirect(100_000);
                    // a heap buffer whose array offset is not 0: the kernel must write at offset + position
                    ByteBuffer heap = ByteBuffer.wrap(new byte[70_000], 5, 60_000).slice();
                    byte[] tmp = new byte[100_000];
                    long total = 0;
                    boolean useDirect = true;
                    while (true) {
                        ByteBuffer b = useDirect ? direct : heap;
                        b.clear();
                        int n = peer.read(b);
                        if (n < 0) {
                            break;
                        }
                        assertThat(b.position()).isEqualTo(n);
                        b.flip();
                        b.get(tmp, 0, n);
                        md.update(tmp, 0, n);
                        total += n;
                        useDirect = !useDirect;
                    }
                    assertThat(peer.read(ByteBuffer.allocate(10))).as("still at end of stream").isEqualTo(-1);
                    return total + ":" + HexFormat.of().formatHex(md.digest());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ByteBuffer direct = ByteBuffer.allocateDirect(1_000_000);
            direct.put(data, 0, 1_000_000).flip();
            assertThat(socket.write(direct)).isEqualTo(1_000_000);
            assertThat(direct.hasRemaining()).isFalse();
            ByteBuffer heap = ByteBuffer.wrap(data, 1_000_000, 1_000_000);
            assertThat(socket.write(heap)).isEqualTo(1_000_000);
            assertThat(heap.position()).isEqualTo(2_000_000);
            assertThat(heap.limit()).as("limit restored").isEqualTo(2_000_000);
            socket.getOutputStream().write(data, 2_000_000, 500_000); // the stream and the buffer calls interleave
            ByteBuffer readOnly = ByteBuffer.wrap(data, 2_500_000, 500_000).asReadOnlyBuffer();
            assertThat(socket.write(readOnly)).isEqualTo(500_000);
            socket.shutdownOutput();
            assertThat(received.get(60, TimeUnit.SECONDS))
                    .isEqualTo(data.length + ":" + HexFormat.of().formatHex(Payload.sha256().digest(data)));
            assertThatThrownBy(() -> socket.write(ByteBuffer.allocate(1))).isInstanceOf(SocketException.class)
                    .hasMessage("Socket output is shutdown");
        }
    }

    @Test
    void readHonorsSoTimeoutAndRejectsReadOnlyBuffers() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 50, addr));
             MpsecSocket socket = c.call(() -> new MpsecSocket(addr, server.getLocalPort()));
             MpsecSocket peer = server.accept()) {
            socket.setSoTimeout(200);
            assertThatThrownBy(() -> socket.read(ByteBuffer.allocateDirect(10))).isInstanceOf(SocketTimeoutException.class);
            assertThatThrownBy(() -> socket.read(ByteBuffer.allocate(10).asReadOnlyBuffer()))
                    .isInstanceOf(IllegalArgumentException.class);
            peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            ByteBuffer b = ByteBuffer.allocate(10);
            assertThat(socket.read(b)).isEqualTo(3);
            assertThat(socket.read(ByteBuffer.allocate(0))).as("nothing asked, nothing read").isZero();
        }
        MpsecSocket unconnected = new MpsecSocket();
        assertThatThrownBy(() -> unconnected.read(ByteBuffer.allocate(1))).isInstanceOf(SocketException.class)
                .hasMessage("Socket is not connected");
        unconnected.close();
    }
}
