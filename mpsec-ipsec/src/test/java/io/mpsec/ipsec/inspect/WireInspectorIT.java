package io.mpsec.ipsec.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.testbed.Testbed;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The inspector must see what it is meant to catch: plain TCP carrying a marker between two
 * namespaces (no IPsec) is reported as cleartext with the marker found and no ESP, on the veth and
 * on "any" (Linux cooked frames).
 */
class WireInspectorIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    static final byte[] MARKER = "MPSEC-PLAINTEXT-MARKER-7f3a".getBytes(StandardCharsets.US_ASCII);

    @Test
    void seesCleartextTcpAndTheMarker() throws Exception {
        WireReport r = transferWhileCapturing(NET.host("s").iface(1), PacketCounter.LinkType.ETHERNET);
        assertThat(r.cleartextTcpPackets()).isGreaterThan(10);
        assertThat(r.markerFound()).isTrue();
        assertThat(r.espPackets()).isZero();
        assertThat(r.unknownPackets()).as("veth carries nothing the inspector cannot read").isZero();
        assertThat(r.droppedPackets()).as("packets the capture lost").isZero();
        assertThat(r.provesNoCleartext()).isFalse();
    }

    @Test
    void capturesOnAnyReadLinuxCookedFrames() throws Exception {
        // "any" gives Linux cooked frames (DLT_LINUX_SLL): read, not counted as unknown, cleartext seen
        WireReport r = transferWhileCapturing("any", PacketCounter.LinkType.LINUX_SLL);
        assertThat(r.cleartextTcpPackets()).isGreaterThan(10);
        assertThat(r.markerFound()).isTrue();
        assertThat(r.unknownPackets()).isZero();
    }

    private static WireReport transferWhileCapturing(String iface, PacketCounter.LinkType expected) throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        try (NetNamespace ns = NetNamespace.open(s.namespace());
                WireInspector insp = WireInspector.start(ns, iface, MARKER)) {
            assertThat(insp.linkType()).isEqualTo(expected);
            ServerSocket server = s.call(() -> new ServerSocket(5001, 5, s.address(1)));
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> {
                try (server; Socket a = server.accept(); InputStream in = a.getInputStream()) {
                    return in.transferTo(OutputStream.nullOutputStream());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Socket sock = c.call(() -> {
                Socket so = new Socket();
                so.connect(new InetSocketAddress(s.address(1), 5001), 5000);
                return so;
            });
            try (sock; OutputStream out = sock.getOutputStream()) {
                for (int i = 0; i < 100; i++) {
                    out.write(MARKER);
                    out.write(new byte[1000]);
                }
            }
            assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(100L * (MARKER.length + 1000));
            Thread.sleep(300); // let the last frames reach the capture
            return insp.stop();
        }
    }
}
