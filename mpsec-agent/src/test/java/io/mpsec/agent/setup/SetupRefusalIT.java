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
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad configurations and failures: each must say clearly what is wrong, and leave every item setup
 * manages exactly as it was (dumps before and after equal).
 */
class SetupRefusalIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("pc1", "pc2").paths(2, 0).perClass().build();

    private Path dir;
    private Path key;

    @BeforeEach
    void files() throws Exception {
        Privileged.requireTool("nft", "nftables");
        dir = Files.createTempDirectory("mpsec-setup-refusal");
        key = dir.resolve("demo.key");
        KeyGen.generate(key);
    }

    private Run setupWith(String yaml) throws Exception {
        Testbed.Host pc1 = NET.host("pc1");
        Path c = write(dir, "pc1.yaml", yaml);
        String before = dump(pc1);
        Run r = cli("setup", "--config", c.toString(), "--netns", pc1.namespace(), "--state-dir", dir.resolve("state").toString());
        assertThat(dump(pc1)).as("nothing changed").isEqualTo(before);
        return r;
    }

    private String demo1() throws Exception {
        return demo("pc1", key, false);
    }

    @Test
    void unknownKey() throws Exception {
        Run r = setupWith(demo1().replace("  staleLossCnt: 4", "  staleLossCount: 4"));
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.out()).contains("pc1.yaml:", "mptcp.staleLossCount: unknown key 'staleLossCount'; allowed keys in mptcp: "
                + "enabled, pathManager, scheduler, staleLossCnt");
    }

    @Test
    void badAddress() throws Exception {
        Run r = setupWith(demo1().replace("remote: [198.18.1.2, 198.18.2.2]", "remote: [198.18.1.2, 198.18.2.256]"));
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.out()).contains("securePaths.peers[0].remote[1]: '198.18.2.256' is not an IPv4 or IPv6 address literal");
    }

    @Test
    void interfaceThatDoesNotExist() throws Exception {
        Run r = setupWith(demo1().replace("name: pc12", "name: pc13"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("interface pc13 does not exist in namespace " + NET.host("pc1").namespace(), "Nothing was changed");
    }

    @Test
    void keyFileReadableByOthers() throws Exception {
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Run r = setupWith(demo("pc1", key, true));
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.out()).contains("securePaths.masterKeyFile", "run 'chmod 600 " + key + "'");
    }

    @Test
    void schedulerThisKernelLacks() throws Exception {
        String available = NET.host("pc1").sysctl("net.mptcp.available_schedulers");
        assertThat(available).doesNotContain("bpf_rr");
        Run r = setupWith(demo1().replace("scheduler: default", "scheduler: bpf_rr"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("this kernel lacks the MPTCP scheduler 'bpf_rr' (net.mptcp.available_schedulers = " + available,
                "Nothing was changed");
    }

    @Test
    void congestionControlThisKernelLacks() throws Exception {
        Run r = setupWith(demo1().replace("algorithm: cubic", "algorithm: olia"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("lacks the congestion control 'olia'", "out-of-tree multipath-tcp.org kernel");
    }

    @Test
    void withoutCapNetAdmin() throws Exception {
        Testbed.Host pc1 = NET.host("pc1");
        Path c = write(dir, "pc1.yaml", demo1());
        String before = dump(pc1);
        // root, but CAP_NET_ADMIN dropped from the bounding set (util-linux setpriv): the effective set lacks it
        Process p = new ProcessBuilder("setpriv", "--bounding-set", "-net_admin", "--inh-caps", "-net_admin",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                "io.mpsec.agent.Main", "setup", "--config", c.toString(), "--netns", pc1.namespace(),
                "--state-dir", dir.resolve("state").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isEqualTo(1);
        assertThat(out).contains("setup needs root (CAP_NET_ADMIN)", "no CAP_NET_ADMIN", "Nothing was changed");
        assertThat(dump(pc1)).isEqualTo(before);
    }

    @Test
    void failureHalfwayRollsBackEverythingThisRunApplied() throws Exception {
        // the gateway is not on any connected network: 'ip route add default via' fails after the sysctls,
        // limits, endpoint and the first table were applied
        Run r = setupWith(demo1().replace("sourceRouting: {table: 102}", "sourceRouting: {table: 102, gateway: 198.19.9.9}"));
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("+ ip route table 102 default via 198.19.9.9 dev pc12", "failed", "Rolled back the");
    }
}
