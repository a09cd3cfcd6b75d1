package io.mpsec.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one side of a transfer reported: its samples and {@code key=value} facts from its socket
 * ({@code mptcp.bytes_retrans}: MPTCP-level retransmitted bytes, the trace of the kernel's stall mode;
 * {@code aborted=1}: the sender gave up early because the connection was in that mode).
 */
public record PeerResult(Samples samples, Map<String, String> info) {
    /** Parses the {@code SAMPLE t bytes cpu user} and {@code INFO k=v} lines of the C peer. */
    public static PeerResult parse(String output) {
        Samples s = new Samples();
        Map<String, String> info = new LinkedHashMap<>();
        output.lines().forEach(l -> {
            if (l.startsWith("SAMPLE ")) {
                String[] f = l.split(" ");
                s.add(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]));
            } else if (l.startsWith("INFO ")) {
                int eq = l.indexOf('=');
                info.put(l.substring(5, eq), l.substring(eq + 1));
            }
        });
        return new PeerResult(s, info);
    }

    public long infoLong(String key) {
        String v = info.get(key);
        return v == null ? 0 : Long.parseLong(v);
    }
}
