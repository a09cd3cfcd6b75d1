package io.mpsec.agent.setup;

import static io.mpsec.agent.setup.SetupSupport.cli;
import static io.mpsec.agent.setup.SetupSupport.demo;
import static io.mpsec.agent.setup.SetupSupport.dump;
import static io.mpsec.agent.setup.SetupSupport.redact;
import static io.mpsec.agent.setup.SetupSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.agent.setup.SetupSupport.Run;
import io.mpsec.testbed.Testbed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * In the kernel lane (a kernel with ESP): {@code setup} from the demo configurations with secure paths
 * on both namespaces installs ESP policies and SAs that carry traffic, the protection stays after the
 * setup run (no kill switch on exit), a second run changes nothing, and {@code --undo --yes} returns
 * to the original state. Run with {@code MPSEC_KL_MODULES=mpsec-agent kernel-lane/run.sh}.
 */
@Tag("kernel-lane")
class SetupLaneIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("pc1", "pc2").paths(2, 0).build();
    private static final Pattern CURRENT = Pattern.compile("lifetime current:\\s+(\\d+)\\(bytes\\)");

    @Test
    void securePathsFromTheDemoConfigsCarryTrafficAndUndo() throws Exception {
        Testbed.Host pc1 = NET.host("pc1");
        Testbed.Host pc2 = NET.host("pc2");
        Path dir1 = Files.createTempDirectory("mpsec-lane-pc1");
        Path dir2 = Files.createTempDirectory("mpsec-lane-pc2");
        Path key1 = dir1.resolve("demo.key");
        io.mpsec.ipsec.keys.KeyGen.generate(key1);
        Path key2 = dir2.resolve("demo.key"); // the same key, its own ledger (as on two machines)
        Files.copy(key1, key2, StandardCopyOption.COPY_ATTRIBUTES);
        Path c1 = write(dir1, "pc1.yaml", demo("pc1", key1, true));
        Path c2 = write(dir2, "pc2.yaml", demo("pc2", key2, true));
        String orig1 = dump(pc1);
        String orig2 = dump(pc2);

        Run r1 = cli("setup", "--config", c1.toString(), "--netns", pc1.namespace(), "--state-dir", dir1.resolve("s").toString());
        Run r2 = cli("setup", "--config", c2.toString(), "--netns", pc2.namespace(), "--state-dir", dir2.resolve("s").toString());
        assertThat(r1.exit()).as(r1.out()).isZero();
        assertThat(r2.exit()).as(r2.out()).isZero();

        String policy = pc1.execOk("ip", "xfrm", "policy").stdout();
        assertThat(policy).contains("src 198.18.1.1/32 dst 198.18.1.2/32", "dir out priority 28016", "proto esp", "mode transport");
        assertThat(policy).doesNotContain("action block");
        String state = redact(pc1.execOk("ip", "xfrm", "state").stdout());
        assertThat(state).contains("src 198.18.1.1 dst 198.18.1.2", "proto esp", "mode transport", "reqid 1836056577");

        // the protection outlived the setup run; traffic between the peers goes through the SAs
        pc1.execOk("ping", "-c", "3", "-W", "5", "198.18.1.2");
        String counters = redact(pc1.execOk("ip", "-s", "xfrm", "state", "get", "src", "198.18.1.1", "dst", "198.18.1.2",
                "proto", "esp", "spi", spi(state, "198.18.1.1", "198.18.1.2")).stdout());
        Matcher m = CURRENT.matcher(counters);
        assertThat(m.find()).as(counters).isTrue();
        assertThat(Long.parseLong(m.group(1))).as("bytes through the outbound SA").isPositive();

        String applied1 = dump(pc1);
        Run again = cli("setup", "--config", c1.toString(), "--netns", pc1.namespace(), "--state-dir", dir1.resolve("s").toString());
        assertThat(again.out()).contains("no changes");
        assertThat(dump(pc1)).isEqualTo(applied1);

        assertThat(cli("setup", "--config", c1.toString(), "--netns", pc1.namespace(), "--state-dir", dir1.resolve("s").toString(),
                "--undo", "--yes").exit()).isZero();
        assertThat(cli("setup", "--config", c2.toString(), "--netns", pc2.namespace(), "--state-dir", dir2.resolve("s").toString(),
                "--undo", "--yes").exit()).isZero();
        assertThat(dump(pc1)).isEqualTo(orig1);
        assertThat(dump(pc2)).isEqualTo(orig2);
    }

    /** The SPI of the active outbound SA src -> dst (the first one listed with MPSec's generation-1 reqid). */
    private static String spi(String state, String src, String dst) {
        Matcher m = Pattern.compile("src " + Pattern.quote(src) + " dst " + Pattern.quote(dst) + "\\s+proto esp spi (0x[0-9a-f]+) reqid 1836056577")
                .matcher(state);
        assertThat(m.find()).as(state).isTrue();
        return m.group(1);
    }
}
