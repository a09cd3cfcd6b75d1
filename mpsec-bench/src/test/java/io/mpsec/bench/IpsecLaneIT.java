package io.mpsec.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.testbed.Privileged;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The kernel-lane figures ({@link LaneFigures}): runs only in the lane's guest (ESP, netem). By
 * default the CI smoke: every figure once with small sizes (about a minute and a half in the guest),
 * checked for sane numbers against iproute2 and the kernel's counters. With the JUnit configuration
 * parameter {@code mpsec.bench.lane=full} (what {@code ./mpsec bench IpsecLane} passes through
 * {@code MPSEC_KL_JUNIT_ARGS}) the full figures instead, written to the lane's output directory.
 */
@Tag("kernel-lane")
class IpsecLaneIT {
    static final String MODE = "mpsec.bench.lane";

    static boolean full(ExtensionContext c) {
        return c.getConfigurationParameter(MODE).map("full"::equals).orElse(false);
    }

    static boolean smoke(ExtensionContext c) {
        return !full(c);
    }

    @Test
    @EnabledIf("smoke")
    void everyLaneFigureRunsAndIsSane() throws Exception {
        Privileged.require();
        LaneFigures.Params p = LaneFigures.Params.smoke();
        Map<String, Object> r = LaneFigures.measure(p);
        Path f = LaneFigures.write(LaneFigures.outputDir().resolve("smoke"), r);
        System.out.printf("lane figures smoke: %.0f s (SA %.0f s, ESP %.0f s, unbalanced %.0f s), written to %s%n", num(r, "seconds"),
                num(r, "secondsSa"), num(r, "secondsEsp"), num(r, "secondsUnbalanced"), f);
        check(r, p);
    }

    @Test
    @EnabledIf("full")
    void fullLaneFigures() throws Exception {
        Privileged.require();
        LaneFigures.Params p = LaneFigures.Params.full();
        Map<String, Object> r = LaneFigures.measure(p);
        Path f = LaneFigures.write(LaneFigures.outputDir(), r);
        System.out.printf("lane figures: %.0f s, written to %s%n", num(r, "seconds"), f);
        check(r, p);
    }

    @SuppressWarnings("unchecked")
    static void check(Map<String, Object> r, LaneFigures.Params p) {
        assertThat(String.valueOf(r.get("kernel"))).as("guest kernel").isNotEqualTo(System.getProperty("mpsec.kernelLane.hostKernel"));
        Map<String, Object> sa = (Map<String, Object>) r.get("saControlPlane");
        assertThat(num(sa, "ratio")).as("SA add+delete ratio MPSec / ip -batch").isPositive();
        assertThat(num(sa, "mpsecPerSecond")).isPositive();
        assertThat(num(sa, "ipBatchPerSecond")).isPositive();
        assertThat(num(sa, "ipCountAfterMpsecAdd")).as("ip xfrm state count after MPSec's adds").isEqualTo(p.sas());
        assertThat(num(sa, "dumpAfterMpsecAdd")).as("SAs MPSec's dump lists after its adds").isEqualTo(p.sas());
        assertThat(num(sa, "ipCountAfterIpAdd")).as("ip xfrm state count after ip -batch's adds").isEqualTo(p.sas());
        assertThat(sa.get("sameListing")).as("ip xfrm state list nokeys: the SAs of both tools list alike").isEqualTo(true);
        for (String k : List.of("ipCountAfterMpsecDelete", "ipCountAfterIpDelete", "leftAfter", "ipCountAfter")) {
            assertThat(num(sa, k)).as("SAs left: %s", k).isZero();
        }

        Map<String, Object> esp = (Map<String, Object>) r.get("esp");
        for (String k : List.of("tcpRatio", "mptcpRatio", "tcpClearMbit", "tcpEspMbit", "mptcpClearMbit", "mptcpEspMbit")) {
            assertThat(num(esp, k)).as(k).isPositive();
        }
        for (Map<String, Object> round : (List<Map<String, Object>>) esp.get("perRound")) {
            assertThat(num(round, "tcpEspSaBytes")).as("bytes through the client's outbound SAs, TCP").isPositive();
            assertThat(num(round, "mptcpEspSaBytes")).as("bytes through the client's outbound SAs, MPTCP").isPositive();
        }
        Map<String, Object> rekey = (Map<String, Object>) esp.get("rekey");
        assertThat(num(rekey, "clientGeneration")).as("client generation after the rekey").isEqualTo(num(rekey, "fromGeneration") + 1);
        assertThat(num(rekey, "serverGeneration")).isEqualTo(num(rekey, "clientGeneration"));
        assertThat(num(rekey, "newGenerationOutBytes")).as("bytes through the new generation's SAs").isPositive();
        assertThat(num(rekey, "rekeyLongestGapMillis")).as("longest pause around the rekey").isGreaterThanOrEqualTo(0);
        assertThat(num(rekey, "streamBytes")).isPositive();
        assertThat(num(r, "espSasLeft")).as("ESP SAs left in the namespaces after the teardown").isZero();

        Map<String, Object> u = (Map<String, Object>) r.get("unbalanced");
        assertThat(num(u, "fractionOfSum")).as("unbalanced delay, fraction of the sum").isPositive();
        for (Map<String, Object> round : (List<Map<String, Object>>) u.get("perRound")) {
            List<Map<String, Object>> subflows = (List<Map<String, Object>>) round.get("subflows");
            assertThat(subflows).as("subflows of the combined transfer").isNotEmpty();
            subflows.stream().filter(s -> "198.18.2.1".equals(s.get("local"))).forEach(s ->
                    assertThat(num(s, "rttMicros")).as("RTT of the subflow on the 50 ms path (netem)").isGreaterThanOrEqualTo(45_000));
        }
    }

    static double num(Map<String, Object> m, String k) {
        Object v = m.get(k);
        assertThat(v).as("value %s in %s", k, m.keySet()).isInstanceOf(Number.class);
        return ((Number) v).doubleValue();
    }
}
