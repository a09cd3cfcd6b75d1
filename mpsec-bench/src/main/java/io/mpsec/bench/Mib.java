package io.mpsec.bench;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The MIB counters of a namespace that explain a throughput figure ({@code nstat -az}: MPTCP's
 * {@code MPTcp*}, TCP retransmissions and timeouts), and their change over a window.
 */
final class Mib {
    private Mib() {
    }

    static Map<String, Long> read(String namespace) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        String text = BenchNet.output("ip", "netns", "exec", namespace, "nstat", "-asz", "--json");
        // {"kernel":{"IpInReceives":1,...}}: flat enough to read without a schema
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Number>> m = SideFile.JSON.readValue(text, Map.class);
        for (Map.Entry<String, Number> e : m.getOrDefault("kernel", Map.of()).entrySet()) {
            String k = e.getKey();
            if (k.startsWith("MPTcp") || k.equals("TcpRetransSegs") || k.startsWith("TcpExtTCPTimeouts")
                    || k.equals("TcpExtTCPLossProbes") || k.equals("TcpExtTCPSpuriousRTOs")) {
                out.put(k, e.getValue().longValue());
            }
        }
        return out;
    }

    /** The counters that changed between {@code before} and {@code after}. */
    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                out.put(k, d);
            }
        });
        return out;
    }
}
