package io.mpsec.agent.setup;

import static io.mpsec.agent.setup.SetupSupport.cli;
import static io.mpsec.agent.setup.SetupSupport.demo;
import static io.mpsec.agent.setup.SetupSupport.dump;
import static io.mpsec.agent.setup.SetupSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.agent.setup.SetupSupport.Run;
import io.mpsec.ipsec.keys.KeyGen;
import io.mpsec.testbed.Privileged;
import io.mpsec.testbed.Testbed;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code mpsec-agent setup} from the demo sample configurations on two namespaces joined by two veth
 * paths (198.18.1.0/24, 198.18.2.0/24), checked with iproute2, sysctl and nft: the result, a second
 * run that changes nothing, and an undo back to the original state; secure paths on this host's
 * kernel (no ESP), which must end BLOCKED, and the early-boot {@code block} command.
 */
class SetupIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("pc1", "pc2").paths(2, 100).build();

    private Path dir;
    private Path key;
    private String hostAllowedCc;

    @BeforeEach
    void files() throws Exception {
        Privileged.requireTool("nft", "nftables");
        dir = Files.createTempDirectory("mpsec-setup-it"); // 0700: the key ledger refuses a directory others can write
        key = dir.resolve("demo.key");
        KeyGen.generate(key);
        hostAllowedCc = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_allowed_congestion_control")).trim();
    }

    @AfterEach
    void restoreHostWideSysctl() throws Exception {
        // host-wide: undo restores it; this only matters when a test failed half-way
        Files.writeString(Path.of("/proc/sys/net/ipv4/tcp_allowed_congestion_control"), hostAllowedCc + "\n");
    }

    private String[] args(Testbed.Host h, Path config, String... more) {
        String[] base = {"setup", "--config", config.toString(), "--netns", h.namespace(), "--state-dir", dir.resolve("state").toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void demoConfigsApplyThenChangeNothingThenUndoExactly() throws Exception {
        Testbed.Host pc1 = NET.host("pc1");
        Testbed.Host pc2 = NET.host("pc2");
        pc1.sysctl("net.ipv4.conf.pc11.rp_filter", "1"); // strict: setup must loosen it to 2
        Path c1 = write(dir, "pc1.yaml", demo("pc1", key, false));
        Path c2 = write(dir, "pc2.yaml", demo("pc2", key, false));
        String orig1 = dump(pc1);
        String orig2 = dump(pc2);
        long path2Before = mptcpTransferUsesPath2(pc1, pc2);
        assertThat(path2Before).as("control: before setup MPTCP uses path 1 only (no endpoints)").isLessThan(500_000);

        Run dry = cli(args(pc1, c1, "--dry-run"));
        assertThat(dry.exit()).as(dry.out()).isZero();
        assertThat(dry.out()).contains("+ mptcp endpoint 198.18.2.1 id 2 dev pc12 subflow",
                "- sysctl net.ipv4.conf.pc11.rp_filter = 1", "+ sysctl net.ipv4.conf.pc11.rp_filter = 2",
                "+ ip rule pref 1000 from 198.18.2.1 lookup 102");
        assertThat(dump(pc1)).as("--dry-run changes nothing").isEqualTo(orig1);

        assertThat(cli(args(pc1, c1)).exit()).isZero();
        assertThat(cli(args(pc2, c2)).exit()).isZero();

        assertThat(pc1.execOk("ip", "mptcp", "endpoint", "show").stdout()).contains("198.18.2.1 id 2 subflow dev pc12");
        assertThat(pc2.execOk("ip", "mptcp", "endpoint", "show").stdout()).contains("198.18.2.2 id 2 signal dev pc22");
        for (Testbed.Host h : new Testbed.Host[] {pc1, pc2}) {
            String n = h.name();
            assertThat(h.execOk("ip", "mptcp", "limits", "show").stdout()).contains("add_addr_accepted 2", "subflows 2");
            String last = Integer.toString(h.index() + 1);
            assertThat(h.execOk("ip", "rule").stdout()).contains("1000:\tfrom 198.18.1." + last + " lookup 101",
                    "1000:\tfrom 198.18.2." + last + " lookup 102");
            assertThat(h.execOk("ip", "route", "show", "table", "all").stdout())
                    .contains("198.18.1.0/24 dev " + n + "1 table 101 scope link src 198.18.1." + last)
                    .contains("198.18.2.0/24 dev " + n + "2 table 102 scope link src 198.18.2." + last);
            assertThat(h.sysctl("net.ipv4.tcp_congestion_control")).isEqualTo("cubic");
            assertThat(h.sysctl("net.mptcp.enabled")).isEqualTo("1");
            assertThat(h.execOk("ip", "xfrm", "policy").stdout()).as("secure paths are off in this run").isEmpty();
        }
        assertThat(pc1.sysctl("net.ipv4.conf.pc11.rp_filter")).isEqualTo("2");
        assertThat(Files.readString(Path.of("/proc/sys/net/ipv4/tcp_allowed_congestion_control"))).contains("cubic");
        // replies leave by the interface their source address belongs to
        assertThat(pc1.execOk("ip", "route", "get", "198.18.2.2", "from", "198.18.2.1").stdout()).contains("dev pc12", "table 102");

        long path2After = mptcpTransferUsesPath2(pc1, pc2);
        System.out.println("bytes pc1 sent on path 2 during a 16 MB MPTCP transfer: before setup " + path2Before + ", after " + path2After);
        assertThat(path2After).as("bytes pc1 sent on path 2 during a 16 MB MPTCP transfer over path 1")
                .isGreaterThan(2_000_000);

        String applied1 = dump(pc1);
        String applied2 = dump(pc2);
        Run again = cli(args(pc1, c1));
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("no changes");
        assertThat(cli(args(pc2, c2)).out()).contains("no changes");
        assertThat(dump(pc1)).isEqualTo(applied1);
        assertThat(dump(pc2)).isEqualTo(applied2);

        assertThat(cli(args(pc2, c2, "--undo")).exit()).isZero();
        Run undo = cli(args(pc1, c1, "--undo"));
        assertThat(undo.exit()).isZero();
        assertThat(undo.out()).contains("- mptcp endpoint 198.18.2.1 id 2 dev pc12 subflow", "restored namespace");
        assertThat(dump(pc1)).isEqualTo(orig1);
        assertThat(dump(pc2)).isEqualTo(orig2);
        assertThat(cli(args(pc1, c1, "--undo")).out()).contains("nothing to undo");
    }

    @Test
    void securePathsOnAKernelWithoutEspEndBlockedNeverInClear() throws Exception {
        Testbed.Host pc1 = NET.host("pc1");
        Path c1 = write(dir, "pc1.yaml", demo("pc1", key, true));
        String orig = dump(pc1);

        Run r = cli(args(pc1, c1));
        assertThat(r.exit()).as(r.out()).isEqualTo(2);
        assertThat(r.out()).contains("no ESP support", "It was the first change", "the peers are BLOCKED");
        String policies = pc1.execOk("ip", "xfrm", "policy").stdout();
        assertThat(policies.split("action block priority 28016", -1)).as(policies).hasSize(9); // 4 pairs x (out, in)
        assertThat(policies).doesNotContain("action allow");
        assertThat(pc1.execOk("ip", "xfrm", "state").stdout()).isEmpty();
        assertThat(pc1.execOk("nft", "list", "ruleset").stdout()).contains("table inet mpsec_gate");
        // nothing after the secure step ran: sysctls, endpoints, limits, rules and routes as before
        String now = dump(pc1);
        assertThat(section(now, 0, 6)).isEqualTo(section(orig, 0, 6));

        // the early-boot command finds its policies already in place
        Run block = cli("block", "--config", c1.toString(), "--netns", pc1.namespace());
        assertThat(block.exit()).as(block.out()).isZero();
        assertThat(block.out()).contains("0 BLOCK policies installed, 8 already in place");
        assertThat(dump(pc1)).isEqualTo(now);

        Run refused = cli(args(pc1, c1, "--undo"));
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.out()).contains("had no IPsec policy: traffic to them went in clear", "--yes", "Nothing was changed");
        assertThat(dump(pc1)).isEqualTo(now);

        Run undo = cli(args(pc1, c1, "--undo", "--yes"));
        assertThat(undo.exit()).as(undo.out()).isZero();
        assertThat(undo.out()).contains("NOT protected now");
        assertThat(dump(pc1)).isEqualTo(orig);
    }

    @Test
    void blockThenSetupTakesTheBlockPoliciesOver() throws Exception {
        Testbed.Host pc2 = NET.host("pc2");
        Path c2 = write(dir, "pc2.yaml", demo("pc2", key, true));
        Run block = cli("block", "--config", c2.toString(), "--netns", pc2.namespace());
        assertThat(block.exit()).as(block.out()).isZero();
        assertThat(block.out()).contains("8 BLOCK policies installed");
        String blocked = pc2.execOk("ip", "xfrm", "policy").stdout();
        assertThat(blocked).contains("src 198.18.2.2/32 dst 198.18.2.1/32 \n\tdir out action block priority 28016");
        assertThat(cli("block", "--config", c2.toString(), "--netns", pc2.namespace()).out()).contains("0 BLOCK policies installed");

        // SecurePaths recognises the BLOCK policies as MPSec's (no "foreign policy" refusal), replaces them in
        // its batch; without ESP the SAs fail and it puts back exactly what it found: the BLOCK policies
        Run r = cli(args(pc2, c2));
        assertThat(r.out()).doesNotContain("MPSec did not install").contains("no ESP support", "BLOCKED");
        assertThat(pc2.execOk("ip", "xfrm", "policy").stdout()).isEqualTo(blocked);
    }

    /**
     * An MPTCP transfer from pc1 to 198.18.1.2 (python3, IPPROTO_MPTCP: a peer MPSec did not write);
     * returns the bytes pc1 sent on path 2 meanwhile, which only a second subflow (pc1's subflow
     * endpoint, pc2's signal endpoint, the limits) can carry. Paths are shaped to 100 Mbit/s.
     */
    private static long mptcpTransferUsesPath2(Testbed.Host pc1, Testbed.Host pc2) {
        String server = "import socket\n"
                + "s=socket.socket(socket.AF_INET,socket.SOCK_STREAM,262)\n"
                + "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                + "s.bind(('198.18.1.2',5201));s.listen(1)\n"
                + "c,_=s.accept()\n"
                + "while c.recv(65536): pass\n";
        Process p = pc2.startProcess("python3", "-c", server);
        String client = "import socket,time\n"
                + "for i in range(100):\n"
                + "  try:\n"
                + "    s=socket.socket(socket.AF_INET,socket.SOCK_STREAM,262);s.settimeout(20);s.connect(('198.18.1.2',5201));break\n"
                + "  except OSError:\n"
                + "    s.close();time.sleep(0.1)\n"
                + "buf=bytes(65536)\n"
                + "for i in range(256): s.sendall(buf)\n"
                + "s.shutdown(socket.SHUT_WR);s.recv(1);s.close()\n";
        long before = NET.path(2).txBytes(pc1);
        pc1.execOk("python3", "-c", client);
        long sent = NET.path(2).txBytes(pc1) - before;
        p.destroy();
        return sent;
    }

    /** Sections {@code from..to-1} of a {@link SetupSupport#dump}. */
    private static String section(String dump, int from, int to) {
        String[] s = dump.split("\n----\n", -1);
        return String.join("\n----\n", java.util.Arrays.copyOfRange(s, from, to));
    }
}
