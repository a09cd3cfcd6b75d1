package io.mpsec.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpsec.kernel.diag.SsText;
import io.mpsec.testbed.Privileged;
import io.mpsec.testbed.Testbed;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the independent tools say about one namespace at one moment, read in one shell (each process
 * start costs about a second in the kernel lane): {@code ip -s -j link}, {@code nstat -asz},
 * {@code ip -s xfrm state list nokeys} (never the keys; only numbers are kept), {@code /proc/net/xfrm_stat},
 * {@code ss -Mni} and {@code ss -tni}.
 *
 * @param links interface name to {rx bytes, rx packets, tx bytes, tx packets} (stats64)
 * @param mptcpMib MPTcpExt counters without the {@code MPTcpExt} prefix
 * @param sas {@code "src dst spi"} (spi as {@code 0x%08x}) to {bytes, packets} of the SA's lifetime current
 * @param xfrmStat the counters of /proc/net/xfrm_stat
 * @param connections MPTCP sockets ss lists by default (no listeners)
 * @param fallbacks those of them ss marks {@code fallback}
 * @param subflows TCP sockets with the MPTCP ULP ({@code tcp-ulp-mptcp})
 */
record ToolReadings(Map<String, long[]> links, Map<String, Long> mptcpMib, Map<String, long[]> sas,
        Map<String, Long> xfrmStat, int connections, int fallbacks, int subflows) {
    private static final String SEP = "@@mpsec-section@@";
    private static final Pattern SA_HEAD = Pattern.compile("^src (\\S+) dst (\\S+)\\s+proto esp spi (0x[0-9a-f]{8})");
    private static final Pattern CURRENT = Pattern.compile("lifetime current:\\s+(\\d+)\\(bytes\\), (\\d+)\\(packets\\)");

    /**
     * Runs {@code script} in {@code h}'s namespace with a timeout of 240 s (the testbed's exec allows 60 s,
     * which a loaded emulated guest can exceed for six tools); returns its standard output.
     */
    private static String run(Testbed.Host h, String script) throws IOException {
        Process p = new ProcessBuilder(Privileged.requireTool("ip", "iproute2").toString(), "netns", "exec", h.namespace(), "sh", "-c", script)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        java.util.concurrent.CompletableFuture<byte[]> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            if (!p.waitFor(240, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the tools did not finish within 240 s in " + h.name());
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("the tools exited with " + p.exitValue() + " in " + h.name());
            }
            return new String(out.get(30, java.util.concurrent.TimeUnit.SECONDS), java.nio.charset.StandardCharsets.UTF_8);
        } catch (InterruptedException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("reading the tools' output in " + h.name() + ": " + e, e);
        }
    }

    /** Reads everything in {@code h}'s namespace. */
    static ToolReadings take(Testbed.Host h) throws IOException {
        String script = String.join("; echo " + SEP + "; ", "ip -s -j link", "nstat -asz", "ip -s xfrm state list nokeys",
                "cat /proc/net/xfrm_stat", "ss -Mni", "ss -tni");
        String[] part = run(h, script).split(SEP + "\n", -1);
        if (part.length != 6) {
            throw new AssertionError("expected 6 sections from the tools in " + h.name() + ", got " + part.length);
        }
        Map<String, long[]> links = new LinkedHashMap<>();
        for (JsonNode l : new ObjectMapper().readTree(part[0])) {
            JsonNode st = l.get("stats64");
            links.put(l.get("ifname").asText(), new long[] {st.get("rx").get("bytes").asLong(), st.get("rx").get("packets").asLong(),
                st.get("tx").get("bytes").asLong(), st.get("tx").get("packets").asLong()});
        }
        Map<String, Long> mib = new LinkedHashMap<>();
        for (String line : part[1].split("\n")) {
            String[] t = line.trim().split("\\s+");
            if (t.length >= 2 && t[0].startsWith("MPTcpExt")) {
                mib.put(t[0].substring("MPTcpExt".length()), Long.parseLong(t[1]));
            }
        }
        Map<String, long[]> sas = new LinkedHashMap<>();
        for (String block : part[2].split("(?m)^(?=src )")) {
            Matcher head = SA_HEAD.matcher(block);
            if (!head.find()) {
                continue;
            }
            Matcher cur = CURRENT.matcher(block);
            if (!cur.find()) {
                throw new AssertionError("no 'lifetime current' for the SA " + head.group(1) + " -> " + head.group(2)
                        + " spi " + head.group(3));
            }
            sas.put(head.group(1) + " " + head.group(2) + " " + head.group(3),
                    new long[] {Long.parseLong(cur.group(1)), Long.parseLong(cur.group(2))});
        }
        Map<String, Long> xfrm = new LinkedHashMap<>();
        for (String line : part[3].split("\n")) {
            String[] t = line.trim().split("\\s+");
            if (t.length == 2) {
                xfrm.put(t[0], Long.parseLong(t[1]));
            }
        }
        Map<String, SsText.Entry> mptcp = SsText.parse(part[4]);
        int fallbacks = (int) mptcp.values().stream().filter(e -> e.has("fallback")).count();
        int subflows = (int) SsText.parse(part[5]).values().stream().filter(e -> e.detail().contains("tcp-ulp-mptcp")).count();
        return new ToolReadings(links, mib, sas, xfrm, mptcp.size(), fallbacks, subflows);
    }
}
