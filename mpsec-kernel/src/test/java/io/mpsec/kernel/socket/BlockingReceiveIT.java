package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.testbed.Testbed;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A platform thread blocked in a read of a blocking-mode socket (no SO_TIMEOUT, never used by a
 * virtual thread), which waits in a one-byte {@code MSG_PEEK} and then receives into the caller's
 * array ({@link BlockingIo}): data sent while it waits arrives whole and in order, and a reset while
 * it waits is the JDK's "Connection reset" (the peek consumes the socket error, so it must report
 * it). Both on real MPTCP sockets; the kernel's MPTCP accepts MSG_PEEK (else MPSec falls back to a
 * copy, and this test says so). Runs in the 6.1 kernel lane too ({@code also-kernel-lane}; waits
 * sized for emulation).
 */
@Tag("also-kernel-lane")
class BlockingReceiveIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    @Test
    void dataSentWhileTheReaderWaitsArrivesWholeThenAResetIsTheJdksOwn() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        byte[] sent = new byte[3 * 1024 * 1024 + 17];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 31 + (i >>> 11));
        }
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 5, addr));
                MpsecSocket socket = c.call(() -> new MpsecSocket(addr, server.getLocalPort()));
                MpsecSocket peer = server.accept()) {
            assertThat(socket.isMultipath()).isTrue();
            InputStream in = socket.getInputStream();
            CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] got = new byte[sent.length];
                    byte[] buf = new byte[128 * 1024];
                    int off = 0;
                    while (off < got.length) {
                        int n = in.read(buf, 0, Math.min(buf.length, got.length - off));
                        if (n < 0) {
                            throw new IllegalStateException("end of stream after " + off + " bytes");
                        }
                        System.arraycopy(buf, 0, got, off, n);
                        off += n;
                    }
                    return got;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, r -> new Thread(r).start());
            Thread.sleep(300);
            assertThat(reader).as("the reader waits for data").isNotDone();
            OutputStream out = peer.getOutputStream();
            for (int off = 0; off < sent.length; off += 40_000) {
                out.write(sent, off, Math.min(40_000, sent.length - off));
                if (off % 400_000 == 0) {
                    Thread.sleep(5); // let the reader run dry and wait again, often
                }
            }
            assertThat(Arrays.equals(reader.get(90, TimeUnit.SECONDS), sent)).as("bytes intact and in order").isTrue();
            assertThat(BlockingIo.peeks()).as("this kernel's MPTCP sockets accept MSG_PEEK").isTrue();
            assertThat(socket.getSoTimeout()).isZero();

            CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    in.read();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }, r -> new Thread(r).start());
            Thread.sleep(300);
            assertThat(blocked).isNotDone();
            peer.setSoLinger(true, 0);
            peer.close(); // RST
            Throwable t = blocked.get(30, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            assertThat(socket.isClosed()).isFalse();
        }
    }
}
