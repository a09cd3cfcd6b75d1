package io.mpsec.ipsec.xfrm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.Mode;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.Selector;
import io.mpsec.ipsec.Template;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.testbed.Testbed;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SAs and policies MPSec did not install and cannot model, put into a fresh namespace by iproute2
 * and python3 the way other tools would: {@link XfrmClient#dumpSas()} and
 * {@link XfrmClient#dumpPolicies()} must return (never throw), keep every SA (foreign ones with no
 * model) and return exactly the policies MPSec models. Needs no ESP: ALLOCSPI makes larval states of
 * any protocol and mode, and policies accept templates of any protocol. Cross-checked with the
 * entries {@code ip xfrm} lists.
 */
class ForeignEntriesIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    /** A per-socket policy (IP_XFRM_POLICY, linux/in.h): BLOCK everything the socket sends; ready file, then hold. */
    private static final String SOCKET_POLICY = "import socket, struct, sys, time\n"
            + "sel = bytes(32) + bytes(8) + struct.pack('<HBBB3xiI', 2, 0, 0, 0, 0, 0)\n"
            + "info = sel + struct.pack('<8Q', *([2**64 - 1] * 4 + [0] * 4)) + bytes(32)"
            + " + struct.pack('<IIBBBB4x', 5, 0, 1, 1, 0, 0)\n"
            + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            + "s.setsockopt(socket.IPPROTO_IP, 17, info)\n"
            + "print('ready', flush=True)\n"
            + "time.sleep(60)\n";

    @Test
    void dumpsKeepForeignSasAndSkipForeignPoliciesWithoutFailing() throws Exception {
        Testbed.Host c = NET.host("c");
        String me = c.address(1).getHostAddress();
        String peer = NET.host("s").address(1).getHostAddress();
        // foreign states: AH in BEET mode, IPCOMP, ESP in BEET mode over IPv6, ESP with an SPI below 256
        c.execOk("ip", "xfrm", "state", "allocspi", "src", me, "dst", "198.18.1.20", "proto", "ah", "mode", "beet", "reqid", "5");
        c.execOk("ip", "xfrm", "state", "allocspi", "src", me, "dst", "198.18.1.21", "proto", "comp", "mode", "tunnel");
        c.execOk("ip", "xfrm", "state", "allocspi", "src", "2001:2::1", "dst", "2001:2::2", "proto", "esp", "mode", "beet");
        c.execOk("ip", "xfrm", "state", "allocspi", "src", me, "dst", "198.18.1.22", "proto", "esp", "mode", "tunnel",
                "min", "1", "max", "200");
        // foreign policies: AH and IPCOMP templates, a BEET template, a sub policy, a per-socket policy
        policy(c, "src", me + "/32", "dst", "198.18.1.20/32", "dir", "out", "tmpl", "src", me, "dst", "198.18.1.20",
                "proto", "ah", "reqid", "5", "mode", "beet", "level", "required");
        policy(c, "src", me + "/32", "dst", "198.18.1.21/32", "dir", "out", "tmpl", "src", me, "dst", "198.18.1.21",
                "proto", "comp", "mode", "tunnel", "level", "required");
        policy(c, "src", peer + "/32", "dst", me + "/32", "proto", "tcp", "sport", "443", "dir", "in", "tmpl", "src", peer,
                "dst", me, "proto", "esp", "mode", "beet");
        policy(c, "src", me + "/32", "dst", "198.18.1.23/32", "dir", "out", "ptype", "sub", "tmpl", "src", me, "dst",
                "198.18.1.23", "proto", "esp");
        Process socketPolicy = c.startProcess("python3", "-c", SOCKET_POLICY);
        assertThat(new String(socketPolicy.getInputStream().readNBytes(6))).isEqualTo("ready\n");
        // policies MPSec models, one with attributes it does not interpret (XFRMA_MARK, XFRMA_IF_ID)
        policy(c, "src", me + "/32", "dst", peer + "/32", "dir", "out", "priority", "7", "mark", "7", "if_id", "3", "tmpl",
                "src", me, "dst", peer, "proto", "esp", "reqid", "7", "mode", "transport", "level", "required");
        policy(c, "src", me + "/32", "dst", "198.18.1.24/32", "dir", "fwd", "action", "block");

        int kernelStates = entries(c.execOk("ip", "xfrm", "state", "list").stdout());
        int kernelPolicies = entries(c.execOk("ip", "xfrm", "policy", "list").stdout());
        assertThat(kernelStates).as("states iproute2 lists").isEqualTo(4);
        assertThat(kernelPolicies).as("policies iproute2 lists (the socket policy included)").isEqualTo(7);
        assertThat(c.execOk("ip", "xfrm", "policy", "list").stdout()).contains("socket out");

        try (NetNamespace ns = NetNamespace.open(c.namespace()); XfrmClient x = XfrmClient.open(ns)) {
            List<InstalledSa> sas = x.dumpSas();
            assertThat(sas).hasSize(kernelStates);
            assertThat(sas).allSatisfy(s -> assertThat(s.sa()).as("no model for a foreign or larval SA").isNull());
            String states = c.execOk("ip", "xfrm", "state", "list").stdout();
            for (InstalledSa s : sas) {
                assertThat(states).contains(String.format("spi 0x%08x", s.spi()));
            }

            List<SecurityPolicy> policies = x.dumpPolicies();
            InetAddress a = c.address(1);
            InetAddress b = NET.host("s").address(1);
            SecurityPolicy marked = SecurityPolicy.builder().selector(Selector.hosts(a, b)).direction(Direction.OUT)
                    .priority(7).template(new Template(a, b, 0, 7, Mode.TRANSPORT, true)).build();
            SecurityPolicy block = SecurityPolicy.builder().selector(Selector.hosts(a, InetAddress.getByName("198.18.1.24")))
                    .direction(Direction.FWD).action(SecurityPolicy.Action.BLOCK).build();
            assertThat(policies).containsExactlyInAnyOrder(marked, block);
        } finally {
            socketPolicy.destroy();
            socketPolicy.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static void policy(Testbed.Host h, String... args) {
        String[] cmd = new String[args.length + 4];
        cmd[0] = "ip";
        cmd[1] = "xfrm";
        cmd[2] = "policy";
        cmd[3] = "add";
        System.arraycopy(args, 0, cmd, 4, args.length);
        h.execOk(cmd);
    }

    /** iproute2 starts every state and policy with an unindented "src ..." line. */
    private static int entries(String listing) {
        return (int) listing.lines().filter(l -> l.startsWith("src ")).count();
    }
}
