package io.mpsec.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.testbed.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI smoke run of the benchmark suite: every benchmark through JMH (one fork, one short measured
 * invocation, smoke sizes, see {@link Suite#RUNS}), with fail-on-error, so a benchmark that throws
 * (a broken testbed, a damaged stream, a failed HTB share check, a strategy error) fails the build.
 * Missed targets do not: they are the report's business. Then the report writer runs over the
 * results, so a broken report fails too. About 2-3 minutes (the footprint run, with 5 connections and a
 * 5-second window, about 20 s of it). The footprint run starts the agent from
 * {@code mpsec-agent/target/mpsec-agent-*-all.jar}, which the reactor builds first (mpsec-bench has a
 * test dependency on mpsec-agent for that order).
 */
class BenchSmokeIT {
    @TempDir
    Path dir;

    @Test
    void everyBenchmarkRunsAndTheReportIsWritten() throws Exception {
        Privileged.require();
        Privileged.requireTool("gcc", "gcc");
        Privileged.requireTool("nft", "nftables");
        Privileged.requireTool("mptcpize", "mptcpize"); // DataPathBenchmark's JDK column
        Path results = dir.resolve("results");
        long t0 = System.nanoTime();
        Suite.run(results, Suite.RUNS, true, List.of());
        System.out.printf("benchmark smoke run: %.0f s%n", (System.nanoTime() - t0) / 1e9);
        for (Suite.Run r : Suite.RUNS) {
            assertThat(results.resolve(r.name()).resolve("jmh.json")).as("JMH results of %s", r.name()).isNotEmptyFile();
        }
        assertThat(SideFile.read(results.resolve("FailoverBenchmark"), "FailoverBenchmark")).as("failover side file").isNotEmpty();
        assertThat(SideFile.read(results.resolve("RtoMinCostBenchmark"), "RtoMinCostBenchmark")).as("rto_min cost side file").hasSize(2)
                .allSatisfy(r -> assertThat(((Number) r.get("path1RtoMinMillis")).doubleValue()).as("path 1 rto seen by ss")
                        .isBetween(((Number) r.get("rtoMin")).intValue() == 0 ? 200.0 : 50.0, ((Number) r.get("rtoMin")).intValue() == 0 ? 3000.0 : 199.0));
        // issue 11's responsiveness smoke: the delay line is in effect (ss sees it as the smallest RTT), OLIA stops
        // overflowing the cut link within 5 s (the router's drop counter), and the uncoupled baseline overflows it later
        List<Map<String, Object>> responsivenessFile = SideFile.read(results.resolve("ResponsivenessBenchmark"), "ResponsivenessBenchmark");
        assertThat(responsivenessFile).as("the delay lines' own counts, one per path and trial").filteredOn(r -> r.containsKey("delayLine"))
                .hasSize(4).allSatisfy(r -> assertThat(((Number) r.get("packets")).longValue()).as("packets through %s", r).isPositive());
        List<Map<String, Object>> responsiveness = responsivenessFile.stream().filter(r -> r.containsKey("run")).toList();
        assertThat(responsiveness).as("responsiveness side file").hasSize(2).allSatisfy(r -> assertThat(((Number) r.get("srttMsMin")).doubleValue())
                .as("smallest RTT ss saw with a 20 ms delay line, %s", r.get("algorithm")).isBetween(19.0, 40.0));
        Map<String, Object> olia = responsiveness.stream().filter(r -> r.get("algorithm").equals("mpsec_olia")).findFirst().orElseThrow();
        Map<String, Object> reno = responsiveness.stream().filter(r -> r.get("algorithm").equals("reno")).findFirst().orElseThrow();
        assertThat(olia.get("settleSeconds")).as("OLIA's settle time on the cut link: %s", olia).isNotNull();
        double oliaSettle = ((Number) olia.get("settleSeconds")).doubleValue();
        assertThat(oliaSettle).as("OLIA's settle time").isLessThanOrEqualTo(5.0);
        assertThat(((Number) reno.get("lastDropSeconds")).doubleValue()).as("reno's last drop on the cut link: %s", reno)
                .isGreaterThan(oliaSettle);
        assertThat(SideFile.read(results.resolve("FootprintBenchmark"), "FootprintBenchmark")).as("footprint side file")
                .singleElement().satisfies(r -> {
                    assertThat(((Number) r.get("listedClient")).intValue()).as("connections the agent listed").isGreaterThanOrEqualTo(5);
                    assertThat(((Number) r.get("rssMb")).doubleValue()).as("agent RSS MiB").isPositive();
                    assertThat(((Number) r.get("snapshots")).intValue()).as("dashboard snapshots").isPositive();
                });
        assertThat(SideFile.read(results.resolve("VirtualThreadsBenchmark"), "VirtualThreadsBenchmark")).as("virtual-threads side file")
                .singleElement().satisfies(r -> {
                    assertThat(r).containsEntry("connected", 200).containsEntry("server.accepted", 200).containsEntry("errors", 0)
                            .containsEntry("server.mptcp", 200).containsEntry("ssMptcpEstablished", 200);
                    assertThat(((Number) r.get("server.carriersPeak")).intValue()).as("carrier threads of the server").isBetween(1, 2);
                    assertThat(((Number) r.get("roundTrips")).longValue()).as("round trips in the window").isPositive();
                });
        Path docs = dir.resolve("docs");
        Report.write(results, docs);
        String md = Files.readString(docs.resolve("BENCHMARKS.md"));
        assertThat(md).contains("## Aggregation", "## Unbalanced paths", "## Failover", "### What a lower rto_min costs", "## Control plane", "## Data path", "## Footprint", "## Virtual threads",
                "## Coupled congestion control: aggregation", "## Fairness on a shared bottleneck", "## Responsiveness of the coupled congestion controls", "| coupled CC `mpsec_lia`, 2 x 100 Mbit/s, fraction of the sum | >= 0.90 |",
                "| agent footprint, 5 MPTCP connections + 1 dashboard, JVM options `-Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1`, peak RSS (VmHWM) | <= 160 MB");
        assertThat(docs.resolve("bench/aggregation.svg")).isNotEmptyFile();
        assertThat(docs.resolve("bench/failover-gaps.svg")).isNotEmptyFile();
        assertThat(docs.resolve("bench/failover-timeline.svg")).isNotEmptyFile();
    }
}
