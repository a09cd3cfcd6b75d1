package io.mpsec.ipsec.paths;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.testbed.Testbed;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The generation watch on the real kernel: ESP packets crafted by an independent sender (python3 raw
 * socket, IP protocol 50; no ESP support is needed to send them) reach the watch only when they come
 * from a peer address and carry a generation above the threshold. This host has no ESP: the packets
 * are dropped by the receiving kernel after the capture saw them, as unknown-SPI ESP would be.
 */
class GenerationWatchIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s", "x").path("c", "s", 0).path("x", "s", 0).build();

    /** python3: send ESP packets with the given SPIs (hex) from SRC to DST. */
    static final String SENDER = "import socket,sys,struct\n"
            + "s=socket.socket(socket.AF_INET,socket.SOCK_RAW,50)\n"
            + "s.bind((sys.argv[1],0))\n"
            + "for spi in sys.argv[3:]:\n"
            + "    for i in range(3):\n"
            + "        s.sendto(struct.pack('!II',int(spi,16),i+1)+bytes(32),(sys.argv[2],0))\n";

    static void sendEsp(Testbed.Host from, String src, String dst, String... spis) {
        String[] cmd = new String[4 + spis.length];
        cmd[0] = "python3";
        cmd[1] = "-c";
        cmd[2] = SENDER;
        cmd[3] = src;
        String[] all = new String[cmd.length + 1];
        System.arraycopy(cmd, 0, all, 0, 4);
        all[4] = dst;
        System.arraycopy(spis, 0, all, 5, spis.length);
        from.execOk(all);
    }

    @Test
    void reportsOnlyNewerGenerationsFromThePeer() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        Testbed.Host x = NET.host("x");
        String cAddr = c.address(1).getHostAddress();
        String sAddr1 = s.address(1).getHostAddress();
        try (NetNamespace ns = NetNamespace.open(s.namespace());
                GenerationWatch w = GenerationWatch.start(ns, List.of(c.address(1)), 3)) {
            Thread.sleep(300);
            // generation 2 and 3 (at or below the threshold) from the peer, 1005 from a stranger: nothing
            sendEsp(c, cAddr, sAddr1, "00002001", "00003abc");
            sendEsp(x, x.address(2).getHostAddress(), s.address(2).getHostAddress(), "003ed001");
            Thread.sleep(700);
            assertThat(w.recent()).isEmpty();
            // generations 5 and 1005 from the peer: both reported, in arrival order
            sendEsp(c, cAddr, sAddr1, "00005001", "003ed7ff");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (w.recent().size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(w.recent()).containsExactly(5L, 1005L);
            // raising the threshold hides what is now accepted anyway, and the kernel filter follows
            w.above(5);
            assertThat(w.recent()).containsExactly(1005L);
            sendEsp(c, cAddr, sAddr1, "00004001");
            Thread.sleep(700);
            assertThat(w.recent()).containsExactly(1005L);
            assertThat(w.failure()).isNull();
        }
    }

    @Test
    void theFilterSelectsEspFromPeersAboveTheThreshold() {
        String f = GenerationWatch.filter(List.of(NET.host("c").address(1)), 7);
        assertThat(f).contains("ip[9] = 50").contains("src host " + NET.host("c").address(1).getHostAddress()).contains("> 7");
        assertThat(GenerationWatch.espSpi(new byte[] {0x45, 0, 0, 0, 0, 0, 0, 0, 64, 50, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
            0x00, 0x00, 0x50, 0x01, 0, 0, 0, 1}, 0)).isEqualTo(0x5001L);
    }
}
