package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpsec.agent.doctor.DoctorRun;
import io.mpsec.testbed.Testbed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code doctor} in namespaces set up to show each problem, every reported value cross-checked with an
 * independent read ({@code sysctl}, {@code ip -j mptcp endpoint show}, {@code ip mptcp limits},
 * {@code ip xfrm}), and a clean namespace reported ok. The ESP verdict is compared with what
 * {@code ip xfrm state add ... aead rfc4106(gcm(aes))} does in the same kernel: missing on the build
 * host, present in the kernel lane ({@code DoctorLaneIT}).
 */
class DoctorIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 0).build();

    @Test
    void aCleanNamespaceIsReportedOkAndTheCapabilityReportStays() throws Exception {
        Testbed.Host c = NET.host("c");
        c.execOk("ip", "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "2");
        c.execOk("ip", "mptcp", "endpoint", "add", "198.18.2.1", "dev", c.iface(2), "subflow");
        boolean esp = DoctorRun.ipXfrmAcceptsEsp(c);

        DoctorRun run = DoctorRun.inside(c);
        String out = run.out();
        assertThat(out).contains("kernel:              " + c.execOk("uname", "-r").stdout().trim());
        assertThat(out).contains("net.mptcp.enabled:   1");
        assertThat(out).contains("scheduler:           " + c.sysctl("net.mptcp.scheduler"));
        assertThat(out).contains("congestion control:  " + c.sysctl("net.ipv4.tcp_congestion_control"));
        Map<String, String> v = run.verdicts();
        assertThat(v).as(out).containsEntry("mptcp.sockets", "ok").containsEntry("mptcp.enabled", "ok")
                .containsEntry("mptcp.limits", "ok").containsEntry("endpoints.dev", "ok").containsEntry("rp_filter", "ok")
                .containsEntry("xfrm.policies", "ok").containsEntry("managers.networkmanager", "ok")
                .containsEntry("managers.mptcpd", "ok").containsEntry("esp", esp ? "ok" : "fail")
                .containsKeys("cc.lia", "cc.olia", "cc.balia", "cc.wvegas");
        assertThat(run.line("mptcp.limits")).contains("subflows 2, add_addr_accepted 2; 1 endpoint(s): 1 subflow, 0 signal");
        assertThat(run.line("rp_filter")).contains("all 0, default 0, endpoint interfaces {" + c.iface(2) + "=");
        assertThat(run.exit()).as("exit code: 1 exactly when a check fails (here only ESP can)\n" + out)
                .isEqualTo(esp ? 0 : 1);
    }

    @Test
    void strictRpFilterAnEndpointWithoutDevTightLimitsAndEspAreReported() throws Exception {
        Testbed.Host c = NET.host("c");
        c.sysctl("net.ipv4.conf.all.rp_filter", "1");
        c.sysctl("net.ipv4.conf." + c.iface(1) + ".rp_filter", "1");
        c.execOk("ip", "mptcp", "limits", "set", "subflows", "1", "add_addr_accepted", "0");
        c.execOk("ip", "mptcp", "endpoint", "add", "198.18.1.1", "subflow");                      // no dev
        c.execOk("ip", "mptcp", "endpoint", "add", "198.18.2.1", "dev", c.iface(2), "subflow");
        boolean esp = DoctorRun.ipXfrmAcceptsEsp(c);

        DoctorRun run = DoctorRun.run("--json", "--netns", c.namespace());
        JsonNode root = run.json();
        assertThat(root.get("namespace").asText()).isEqualTo(c.namespace());

        JsonNode rp = run.check("rp_filter");
        assertThat(rp.get("status").asText()).as(run.out()).isEqualTo("fail");
        assertThat(rp.get("values").get("all").asInt())
                .isEqualTo(Integer.parseInt(c.execOk("sysctl", "-n", "net.ipv4.conf.all.rp_filter").stdout().trim()))
                .isEqualTo(1);
        assertThat(rp.get("values").get("interfaces").get(c.iface(1)).get("rp_filter").asInt())
                .isEqualTo(Integer.parseInt(c.execOk("sysctl", "-n", "net.ipv4.conf." + c.iface(1) + ".rp_filter").stdout().trim()));
        assertThat(rp.get("action").asText()).contains("rp_filter=2");

        JsonNode dev = run.check("endpoints.dev");
        assertThat(dev.get("status").asText()).isEqualTo("warn");
        assertThat(texts(dev.get("values").get("without_dev"))).containsExactlyElementsOf(ipEndpointsWithoutDev(c));
        assertThat(texts(dev.get("values").get("without_dev"))).containsExactly("198.18.1.1 (id 1)");
        assertThat(dev.get("action").asText()).contains("ip mptcp endpoint add 198.18.1.1 dev " + c.iface(1) + " subflow");

        JsonNode limits = run.check("mptcp.limits");
        assertThat(limits.get("status").asText()).isEqualTo("warn");
        assertThat(c.execOk("ip", "mptcp", "limits", "show").stdout())
                .contains("subflows " + limits.get("values").get("subflows").asInt())
                .contains("add_addr_accepted " + limits.get("values").get("add_addr_accepted").asInt());
        assertThat(limits.get("values").get("subflow_endpoints").asInt()).isEqualTo(ipEndpoints(c).size()).isEqualTo(2);

        JsonNode espCheck = run.check("esp");
        assertThat(espCheck.get("status").asText()).isEqualTo(esp ? "ok" : "fail");
        assertThat(espCheck.get("values").get("ipv4").asText()).isEqualTo(esp ? "present" : "missing");
        assertThat(root.get("exit_code").asInt()).isEqualTo(run.exit()).isEqualTo(1);

        // per coupled algorithm, whether MPSec's BPF version loads: all four do on this host (6.2+, BTF, root)
        for (String cc : List.of("lia", "olia", "balia", "wvegas")) {
            JsonNode ch = run.check("cc." + cc);
            assertThat(ch.get("values").get("provider").asText()).as(run.out()).isEqualTo("mpsec-bpf");
            assertThat(ch.get("values").get("kernel_name").asText()).isEqualTo("mpsec_" + cc);
            assertThat(ch.get("values").get("loadable").asBoolean()).as(ch.toString()).isTrue();
            assertThat(ch.get("status").asText()).isEqualTo("ok");
        }

        // the text form gives the same verdicts as the JSON form
        DoctorRun text = DoctorRun.run("--netns", c.namespace());
        Map<String, String> fromJson = new LinkedHashMap<>();
        for (JsonNode ch : root.get("checks")) {
            fromJson.put(ch.get("id").asText(), ch.get("status").asText());
        }
        for (String cc : List.of("cc.lia", "cc.olia", "cc.balia", "cc.wvegas")) {
            fromJson.remove(cc); // loaded for real each time; checked above
        }
        Map<String, String> fromText = text.verdicts();
        fromText.keySet().removeAll(List.of("cc.lia", "cc.olia", "cc.balia", "cc.wvegas"));
        assertThat(fromText).as(text.out()).isEqualTo(fromJson);
        assertThat(text.exit()).isEqualTo(1);
        assertThat(root.get("summary").get("fail").asInt()).isGreaterThanOrEqualTo(esp ? 1 : 2);
    }

    @Test
    void foreignBlockPoliciesAndAnMptcpdInTheNamespaceAreReported(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        c.execOk("ip", "xfrm", "policy", "add", "src", "198.18.1.1/32", "dst", "0.0.0.0/0", "dir", "out", "priority", "100",
                "action", "block");
        c.execOk("ip", "xfrm", "policy", "add", "src", "0.0.0.0/0", "dst", "198.18.2.1/32", "dir", "in", "priority", "40000",
                "action", "block");
        assertThat(c.execOk("ip", "xfrm", "policy", "list").stdout()).contains("action block");
        Path fake = dir.resolve("mptcpd");                  // a process named like the daemon, only in c
        Files.copy(Path.of("/bin/sleep"), fake);
        fake.toFile().setExecutable(true);
        Process p = c.startProcess(fake.toString(), "30");
        try {
            waitForComm(p.pid(), "mptcpd");
            DoctorRun run = DoctorRun.run("--json", "--netns", c.namespace());
            JsonNode pol = run.check("xfrm.policies");
            assertThat(pol.get("status").asText()).as(run.out()).isEqualTo("fail");
            List<String> seen = new ArrayList<>();
            for (JsonNode row : pol.get("values").get("foreign_blocking")) {
                seen.add(row.get("dir").asText() + " " + row.get("src").asText() + " " + row.get("dst").asText() + " "
                        + row.get("priority").asLong() + " " + texts(row.get("covers")));
            }
            assertThat(seen).containsExactlyInAnyOrder("out 198.18.1.1/32 0.0.0.0/0 100 [198.18.1.1]",
                    "in 0.0.0.0/0 198.18.2.1/32 40000 [198.18.2.1]");
            assertThat(pol.get("found").asText()).contains("priority 100 action block covers 198.18.1.1");

            JsonNode d = run.check("managers.mptcpd");
            assertThat(d.get("status").asText()).isEqualTo("warn");
            assertThat(d.get("values").get("pids_in_namespace").get(0).asLong()).isEqualTo(p.pid());

            DoctorRun inS = DoctorRun.run("--json", "--netns", s.namespace());
            JsonNode other = inS.check("managers.mptcpd");
            assertThat(other.get("status").asText()).isEqualTo("ok");
            assertThat(texts(other.get("values").get("pids_elsewhere"))).contains(String.valueOf(p.pid()));
            assertThat(inS.check("xfrm.policies").get("status").asText()).isEqualTo("ok");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void mptcpDisabledFailsAndAnUnknownNamespaceIsAClearError() throws Exception {
        Testbed.Host c = NET.host("c");
        c.sysctl("net.mptcp.enabled", "0");
        DoctorRun run = DoctorRun.inside(c);
        assertThat(run.out()).contains("net.mptcp.enabled:   0");
        assertThat(run.verdicts()).containsEntry("mptcp.enabled", "fail");
        assertThat(run.line("mptcp.enabled")).contains("net.mptcp.enabled = 0");
        assertThat(run.exit()).as("MPTCP disabled is reported as a problem").isEqualTo(1);

        DoctorRun missing = DoctorRun.run("--netns", "mpsec-no-such-namespace");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("network namespace 'mpsec-no-such-namespace' does not exist");
    }

    /** The endpoints without "dev" as {@code ip -j mptcp endpoint show} lists them, "ADDR (id N)". */
    private static List<String> ipEndpointsWithoutDev(Testbed.Host h) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode e : ipEndpoints(h)) {
            if (!e.has("dev")) {
                out.add(e.get("address").asText() + " (id " + e.get("id").asInt() + ")");
            }
        }
        return out;
    }

    private static List<JsonNode> ipEndpoints(Testbed.Host h) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        new ObjectMapper().readTree(h.execOk("ip", "-j", "mptcp", "endpoint", "show").stdout()).forEach(out::add);
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static void waitForComm(long pid, String comm) throws Exception {
        Path f = Path.of("/proc/" + pid + "/comm");
        for (int i = 0; i < 100; i++) {
            if (Files.exists(f) && Files.readString(f).trim().equals(comm)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("process " + pid + " never showed up as " + comm);
    }
}
