package io.mpsec.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel-lane section of the report, rendered from a results directory written as {@link LaneRun} writes it. */
class LaneSectionTest {
    @TempDir
    Path dir;

    @Test
    void rendersEveryLaneFigureLabelledEmulatedWithTheReproduceCommand() throws Exception {
        Map<String, Object> round = Map.of("round", 0, "aloneMbit", List.of(4.8, 4.6), "togetherMbit", 8.5, "fractionOfSum", 0.9043,
                "shares", List.of(0.6, 0.4), "pathsInUse", 2, "mptcpRetransmits", 0,
                "subflows", List.of(Map.of("local", "198.18.1.1", "rttMicros", 9000, "cwnd", 10),
                        Map.of("local", "198.18.2.1", "rttMicros", 54000, "cwnd", 20)),
                "mib", Map.of("TcpRetransSegs", 3));
        Map<String, Object> figures = Map.of("kernel", "6.1.0-57-amd64", "cpus", 2, "jdk", "OpenJDK 17", "seconds", 300.0, "secondsSa", 30.0,
                "secondsEsp", 200.0, "secondsUnbalanced", 70.0,
                "saControlPlane", Map.of("sas", 500, "ratio", 3.21, "mpsecPerSecond", 4000.0, "ipBatchPerSecond", 1246.0,
                        "roundRatios", List.of(3.0, 3.21, 3.5), "ipCountAfterMpsecAdd", 500, "ipCountAfterIpAdd", 500, "sameListing", true,
                        "ipCountAfter", 0),
                "esp", Map.of("seconds", 4.0, "tcpRatio", 0.41, "mptcpRatio", 0.52, "tcpClearMbit", 60.0, "tcpEspMbit", 24.6,
                        "mptcpClearMbit", 50.0, "mptcpEspMbit", 26.0, "perRound", List.of(Map.of("tcpRatio", 0.41, "mptcpRatio", 0.52)),
                        "rekey", Map.of("baselineLongestGapMillis", 40.0, "rekeyLongestGapMillis", 120.0, "clientRekeyCallMillis", 30.0,
                                "bothRekeyCallsMillis", 70.0, "newGenerationOutBytes", 2_000_000, "streamBytes", 9_000_000)),
                "unbalanced", Map.of("rateMbit", 5, "delaysMillis", List.of(5, 50), "fractionOfSum", 0.8512, "perRound", List.of(round)));
        Path run = Files.createDirectories(dir.resolve(LaneRun.NAME));
        Files.writeString(run.resolve(LaneFigures.FILE), SideFile.JSON.writeValueAsString(figures), StandardCharsets.UTF_8);
        Files.writeString(run.resolve("run.json"), SideFile.JSON.writeValueAsString(Map.of("started", "2026-11-30T05:00:00Z", "seconds", "420",
                "kernel", "Linux 6.18", "cpus", "2", "loadBefore", "1.0 1.0 1.0 1/1 1", "loadAfter", "2.0 2.0 2.0 1/1 1")), StandardCharsets.UTF_8);

        LaneSection.main(new String[] {dir.toString(), dir.resolve("lane.md").toString()});
        String md = Files.readString(dir.resolve("lane.md"));

        assertThat(md).contains("| SA add+delete, MPSec / ip -batch, emulated (kernel lane, 6.1, TCG) | >= 1.0 | 3.21 | **met** |")
                .contains("| unbalanced delay 5 vs 50 ms, 2 x 5 Mbit/s, fraction of the sum, emulated (kernel lane, 6.1, TCG) | >= 0.90 | 0.851 | **missed** |")
                .contains("## Kernel lane: SAs, ESP, unbalanced delay (emulated (kernel lane, 6.1, TCG))")
                .contains("do not predict real hardware")
                .contains("`./mpsec bench IpsecLane`").contains(LaneRun.DIRECT_COMMAND)
                .contains("| 500 | 4000 | 1246 | 3.21 | 3.00-3.50 (3 rounds) | >= 1.0: **met** | 500 / 500 | yes | 0 |")
                .contains("| TCP, 1 path | 60.0 | 24.6 | 0.41 | 0.41 |")
                .contains("| MPTCP, 2 paths | 50.0 | 26.0 | 0.52 | 0.52 |")
                .contains("| 4.0 | 40 | 120 | 30, 70 | 2000000 | 9000000 bytes, CRC-32 checked |")
                .contains("| 0 | 2 | 4.60 | 3.40 | 74% | 54.0 | 20 |")
                .contains("the 5 ms path delivered a median 106% of its rate alone and the 50 ms path 74%")
                .contains("subflow RTT ratio, slow / fast, median 6.0")
                .contains("`{TcpRetransSegs=3}`");
    }

    @Test
    void aMissedRoundNamesItsMeasuredLosses() {
        List<Map<String, Object>> rounds = List.of(
                Map.of("round", 0, "fractionOfSum", 0.95, "mib", Map.of("TcpExtTCPTimeouts", 4)),
                Map.of("round", 1, "fractionOfSum", 0.771, "mib", Map.of("TcpExtTCPTimeouts", 2, "TcpRetransSegs", 5)),
                Map.of("round", 2, "fractionOfSum", 0.8, "mib", Map.of()));
        String text = LaneSection.losses(rounds);
        assertThat(text).doesNotContain("Round 0 ")
                .contains("Round 1 (0.771): 2 retransmission timeouts and 5 retransmitted segments", "losses, not only the window")
                .contains("Round 2 (0.800): 0 retransmission timeouts and 0 retransmitted segments", "no timeouts");
    }

    @Test
    void noLaneResultsMeansNoSection() throws Exception {
        assertThat(LaneSection.load(dir)).isNull();
    }
}
