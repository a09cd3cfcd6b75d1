package io.mpsec.agent.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.Selector;
import io.mpsec.ipsec.Template;
import io.mpsec.ipsec.paths.SecurePaths;
import io.mpsec.pm.CapabilityReport;
import io.mpsec.pm.EndpointFlag;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pure logic of the doctor: exit code, text and JSON forms, policy matching. */
class DoctorReportTest {
    private static final CapabilityReport CAPS = new CapabilityReport("6.1.0-57-amd64", true, true, "kernel",
            List.of("kernel", "userspace"), "default", List.of("default"), "cubic", List.of("reno", "cubic"),
            EnumSet.of(EndpointFlag.SUBFLOW, EndpointFlag.SIGNAL), false, false, List.of("a note"));

    private static DoctorReport report(Status... statuses) {
        List<Finding> f = new java.util.ArrayList<>();
        int i = 0;
        for (Status s : statuses) {
            f.add(Finding.of("check." + i++, s, "Title " + i, "found " + i, s == Status.OK ? null : "fix " + i,
                    Map.of("n", i)));
        }
        return new DoctorReport("ns1", "available", CAPS, f);
    }

    @Test
    void exitCodeIsOneOnlyWhenAFindingFails() {
        assertThat(report(Status.OK, Status.WARN, Status.INFO).exitCode()).isZero();
        assertThat(report(Status.OK, Status.FAIL, Status.WARN).exitCode()).isEqualTo(1);
        assertThat(report().exitCode()).isZero();
        assertThat(report(Status.FAIL, Status.FAIL, Status.OK).counts())
                .containsEntry(Status.FAIL, 2).containsEntry(Status.OK, 1).containsEntry(Status.WARN, 0).containsEntry(Status.INFO, 0);
    }

    @Test
    void jsonHasTheStableFieldsAndTheSameVerdicts() throws Exception {
        JsonNode root = new ObjectMapper().readTree(JsonReport.render(report(Status.OK, Status.WARN, Status.FAIL)));
        assertThat(root.get("schema").asInt()).isEqualTo(1);
        assertThat(root.get("namespace").asText()).isEqualTo("ns1");
        assertThat(root.get("kernel").asText()).isEqualTo("6.1.0-57-amd64");
        assertThat(root.get("capabilities").get("endpoint_flags").toString()).isEqualTo("[\"SIGNAL\",\"SUBFLOW\"]");
        assertThat(root.get("capabilities").get("mptcp_sockets").asText()).isEqualTo("available");
        assertThat(root.get("checks")).hasSize(3);
        JsonNode c = root.get("checks").get(2);
        assertThat(c.get("id").asText()).isEqualTo("check.2");
        assertThat(c.get("status").asText()).isEqualTo("fail");
        assertThat(c.get("action").asText()).isEqualTo("fix 3");
        assertThat(c.get("values").get("n").asInt()).isEqualTo(3);
        assertThat(root.get("checks").get(0).get("action").isNull()).isTrue();
        assertThat(root.get("summary").toString()).isEqualTo("{\"ok\":1,\"warn\":1,\"fail\":1,\"info\":0}");
        assertThat(root.get("exit_code").asInt()).isEqualTo(1);
    }

    @Test
    void textShowsEachFindingWithItsActionAndTheResult() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TextReport.print(report(Status.OK, Status.WARN, Status.INFO), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("namespace:           ns1").contains("net.mptcp.enabled:   1")
                .contains("endpoint flags:      [SIGNAL, SUBFLOW]").contains("note: a note");
        assertThat(out).containsPattern("(?m)^\\[ok\\]\\s+check\\.0\\s+Title 1: found 1$");
        assertThat(out).containsPattern("(?m)^\\[WARN\\]\\s+check\\.1\\s+Title 2: found 2\\n\\s+do: fix 2$");
        assertThat(out).containsPattern("(?m)^\\[info\\]\\s+check\\.2");
        assertThat(out).contains("result: 1 ok, 1 warn, 0 fail, 1 info; exit code 0");
    }

    @Test
    void policiesCoverLocalAddressesByDirection() throws Exception {
        InetAddress local = InetAddress.getByName("198.18.1.1");
        InetAddress any = InetAddress.getByName("0.0.0.0");
        SecurityPolicy outBlock = SecurityPolicy.builder().selector(new Selector(local, 32, any, 0, 0, 0, 0))
                .direction(Direction.OUT).priority(100).action(SecurityPolicy.Action.BLOCK).build();
        SecurityPolicy inFromLocal = SecurityPolicy.builder().selector(new Selector(local, 32, any, 0, 0, 0, 0))
                .direction(Direction.IN).priority(100).action(SecurityPolicy.Action.BLOCK).build();
        SecurityPolicy fwd = SecurityPolicy.builder().selector(new Selector(any, 0, any, 0, 0, 0, 0))
                .direction(Direction.FWD).action(SecurityPolicy.Action.BLOCK).build();
        assertThat(XfrmPolicyCheck.covers(outBlock, local)).isTrue();
        assertThat(XfrmPolicyCheck.covers(outBlock, InetAddress.getByName("198.18.1.2"))).isFalse();
        assertThat(XfrmPolicyCheck.covers(inFromLocal, InetAddress.getByName("198.18.2.1"))).as("dst 0/0 of dir in").isTrue();
        assertThat(XfrmPolicyCheck.covers(fwd, local)).as("forwarded traffic is not the host's").isFalse();
        assertThat(XfrmPolicyCheck.inPrefix(InetAddress.getByName("198.18.0.0"), 15, InetAddress.getByName("198.19.255.1"))).isTrue();
        assertThat(XfrmPolicyCheck.inPrefix(InetAddress.getByName("198.18.0.0"), 15, InetAddress.getByName("198.20.0.1"))).isFalse();
        assertThat(XfrmPolicyCheck.inPrefix(InetAddress.getByName("2001:2::"), 48, InetAddress.getByName("198.18.0.1"))).isFalse();
        assertThat(XfrmPolicyCheck.inPrefix(InetAddress.getByName("2001:2::"), 48, InetAddress.getByName("2001:2::9"))).isTrue();
    }

    @Test
    void mpsecsOwnPoliciesAreRecognised() throws Exception {
        InetAddress a = InetAddress.getByName("198.18.1.1");
        InetAddress b = InetAddress.getByName("198.18.1.2");
        SecurityPolicy own = SecurityPolicy.builder().selector(Selector.hosts(a, b)).direction(Direction.OUT)
                .priority(SecurePaths.DEFAULT_PRIORITY).template(Template.transport(a, b, SecurePaths.reqid(3))).build();
        SecurityPolicy ownBlock = SecurityPolicy.builder().selector(Selector.hosts(a, b)).direction(Direction.OUT)
                .priority(SecurePaths.DEFAULT_PRIORITY).action(SecurityPolicy.Action.BLOCK).build();
        SecurityPolicy ike = SecurityPolicy.builder().selector(Selector.hosts(a, b)).direction(Direction.OUT)
                .priority(SecurePaths.DEFAULT_PRIORITY).template(Template.transport(a, b, 1)).build();
        assertThat(XfrmPolicyCheck.isMpsecs(own)).isTrue();
        assertThat(XfrmPolicyCheck.isMpsecs(ownBlock)).isTrue();
        assertThat(XfrmPolicyCheck.isMpsecs(ike)).isFalse();
    }
}
