package io.mpsec.bench;

import static io.mpsec.bench.Report.f;

import java.util.List;

/** The "Virtual threads" section of docs/BENCHMARKS.md, from the {@link VirtualThreadsBenchmark} runs. */
final class VirtualThreadsSection {
    private VirtualThreadsSection() {
    }

    /** Appends the section to {@code md}; nothing when {@code rs} is empty. */
    static void write(StringBuilder md, List<Report.RunData> rs) {
        if (rs.isEmpty()) {
            return;
        }
        md.append("## Virtual threads\n\nMPSec connections served from virtual threads on two carriers: a server JVM (JDK 21+, ")
                .append("`-Djdk.virtualThreadScheduler.parallelism=2 -Djdk.virtualThreadScheduler.maxPoolSize=2`) in one namespace accepts on an ")
                .append("`MpsecServerSocket` and echoes each connection on its own virtual thread; a client JVM, on two carriers too, opens the connections ")
                .append("from the other namespace over an unshaped veth and, on one virtual thread per connection, sends a request and reads its echo in a loop ")
                .append("for the window. Round trips and latency are measured by the clients; carriers (`CarrierThread`s, sampled every 100 ms) ")
                .append("by the server. The benchmark fails unless every connection was served without an error.\n\n")
                .append("Sockets `mpsec`: `MpsecSocket` and `MpsecServerSocket` on both ends; `jdk`: the same programs on the JDK's own `Socket` and ")
                .append("`ServerSocket` (plain TCP, the JDK's own poller); `jdk-mptcpize`: those under `mptcpize run` (its TCP sockets become MPTCP), ")
                .append("the baseline for MPSec. MPTCP share: established MPTCP sockets `ss -M` lists in the client namespace once all are connected, ")
                .append("per connection (for `mpsec` the server's `isMultipath()` count is checked too, secondary result `mptcpShare`).\n\n")
                .append("| sockets | connections | request bytes | window s | round trips/s | of jdk-mptcpize | MB/s (both directions) | p50 / p99 ms | ")
                .append("carriers | platform threads | MPTCP share | command |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Report.RunData r : rs) {
            for (Report.Row row : r.rows()) {
                String sockets = row.p("socket").isEmpty() ? "mpsec" : row.p("socket");
                double base = r.rows().stream().filter(x -> x.p("socket").equals("jdk-mptcpize") && x.p("connections").equals(row.p("connections")))
                        .mapToDouble(x -> x.v("roundTripsPerSecond")).findFirst().orElse(Double.NaN);
                md.append(f("| %s | %.0f | %s | %s | %.0f | %s | %.1f | %.1f / %.1f | %.0f | %.0f | %s | %s |\n", sockets, row.v("connected"),
                        row.p("size"), row.p("seconds"), row.v("roundTripsPerSecond"),
                        Double.isNaN(base) ? "-" : f("%.2f", row.v("roundTripsPerSecond") / base), row.v("mbytesPerSecond"),
                        row.v("p50Millis"), row.v("p99Millis"), row.v("carriers"), row.v("platformThreads"),
                        Double.isNaN(row.v("ssMptcpShare")) ? f("%.3f", row.v("mptcpShare")) : f("%.3f", row.v("ssMptcpShare")), r.command(row)));
            }
        }
        md.append("\nEvery connection keeps one request outstanding, so the latency is about connections / round trips per second ")
                .append("(Little's law): with thousands of connections it measures the queue, not the network. ")
                .append("Client and server share the machine's two cores with each other and with the kernel's network work, so the figures are a floor ")
                .append("for a server with its cores to itself.\n\n");
    }
}
