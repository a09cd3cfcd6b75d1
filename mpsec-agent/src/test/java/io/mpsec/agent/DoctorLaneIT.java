package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mpsec.agent.doctor.DoctorRun;
import io.mpsec.kernel.pm.KernelVersion;
import io.mpsec.testbed.Testbed;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code doctor} on the kernel lane's stock Debian kernel, which has ESP: the probe must report ESP
 * present for both families, agreeing with {@code ip xfrm state add ... aead rfc4106(gcm(aes))} in the
 * same namespace, and a clean namespace passes every check (exit code 0). On Linux before 6.2 MPSec's
 * LIA cannot load ({@code bpf_rdonly_cast}), and doctor must say so.
 *
 * <p>Run it alone: {@code MPSEC_KL_MODULES=mpsec-agent MPSEC_KL_INCLUDE='.*DoctorLaneIT' kernel-lane/run.sh}.
 */
@Tag("kernel-lane")
class DoctorLaneIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("h").build();

    @Test
    void reportsEspPresentAndACleanNamespaceOk() throws Exception {
        Testbed.Host h = NET.host("h");
        assertThat(DoctorRun.ipXfrmAcceptsEsp(h)).as("the lane kernel installs an rfc4106(gcm(aes)) SA with ip xfrm").isTrue();

        DoctorRun run = DoctorRun.run("--json", "--netns", h.namespace());
        System.out.println(run.out());
        JsonNode esp = run.check("esp");
        assertThat(esp.get("status").asText()).as(run.out()).isEqualTo("ok");
        assertThat(esp.get("values").get("ipv4").asText()).isEqualTo("present");
        assertThat(esp.get("values").get("ipv6").asText()).isEqualTo("present");
        for (String id : new String[] {"mptcp.sockets", "mptcp.enabled", "endpoints.dev", "rp_filter", "xfrm.policies"}) {
            assertThat(run.check(id).get("status").asText()).as(id + "\n" + run.out()).isEqualTo("ok");
        }

        KernelVersion k = KernelVersion.parse(h.execOk("uname", "-r").stdout());
        for (String cc : new String[] {"lia", "olia", "balia"}) {
            JsonNode check = run.check("cc." + cc);
            if (!k.atLeast(6, 2)) {
                assertThat(check.get("status").asText()).as(run.out()).isEqualTo("warn");
                assertThat(check.get("values").get("loadable").asBoolean()).isFalse();
                assertThat(check.get("found").asText()).contains("older than 6.2")
                        .contains("lacks the kernel function bpf_rdonly_cast (Linux 6.2+) that mpsec_" + cc + " calls");
            }
        }
        assertThat(run.json().get("summary").get("fail").asInt()).as(run.out()).isZero();
        assertThat(run.exit()).isZero();
    }
}
