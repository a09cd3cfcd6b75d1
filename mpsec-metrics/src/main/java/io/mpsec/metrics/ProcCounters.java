package io.mpsec.metrics;

import io.mpsec.ipsec.xfrm.XfrmStat;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counter sources read from {@code /proc}, per namespace. A file under {@code /proc/net} follows the
 * process's main thread, so these read {@code /proc/thread-self/net/...} on the thread of the
 * {@link NetNamespace} (or on the calling thread for {@code null}, the JVM's own namespace).
 */
public final class ProcCounters {
    /** The MPTCP MIB section of /proc/net/netstat (net/mptcp/mib.c). */
    public static final String MPTCP_EXT = "MPTcpExt";
    private static final char VERTICAL_TAB = 11;

    private ProcCounters() {
    }

    /** The MPTcpExt counters of {@code ns} ({@code null}: this namespace); empty when the kernel has no MPTCP. */
    public static Sources.CounterSource mptcpMib(NetNamespace ns) {
        return () -> {
            String text = ns == null ? readNetstat() : ns.call(ProcCounters::readNetstat);
            return parseNetstat(text, MPTCP_EXT);
        };
    }

    /** The counters of /proc/net/xfrm_stat of {@code ns} ({@code null}: this namespace), via {@link XfrmStat}. */
    public static Sources.CounterSource xfrmStat(NetNamespace ns) {
        return () -> XfrmStat.read(ns).all();
    }

    private static String readNetstat() throws IOException {
        return Files.readString(Path.of("/proc/thread-self/net/netstat"), StandardCharsets.US_ASCII);
    }

    /**
     * Parses one section of {@code /proc/net/netstat}: a line {@code "Section: Name1 Name2 ..."}
     * followed by {@code "Section: v1 v2 ..."}. Empty when the section is absent.
     *
     * @throws IOException when the section's two lines do not match
     */
    public static Map<String, Long> parseNetstat(String text, String section) throws IOException {
        String prefix = section + ":";
        String[] lines = text.split("\n");
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < lines.length; i++) {
            if (!lines[i].startsWith(prefix) || !lines[i + 1].startsWith(prefix)) {
                continue;
            }
            String[] names = words(lines[i].substring(prefix.length()));
            String[] values = words(lines[i + 1].substring(prefix.length()));
            if (names.length != values.length) {
                throw new IOException("netstat section " + section + " has " + names.length + " names but "
                        + values.length + " values");
            }
            try {
                for (int k = 0; k < names.length; k++) {
                    out.put(names[k], Long.parseUnsignedLong(values[k]));
                }
            } catch (NumberFormatException e) {
                throw new IOException("netstat section " + section + " has a value that is not a number: " + e.getMessage());
            }
            return out;
        }
        return out;
    }

    /** {@code line.trim().split("\\s+")} without a regular expression (read every second per namespace). */
    static String[] words(String line) {
        String s = line.trim();
        java.util.List<String> out = new java.util.ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            while (i < n && blank(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !blank(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(s.substring(start, i));
            }
        }
        return out.isEmpty() ? new String[] {""} : out.toArray(new String[0]);
    }

    private static boolean blank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == VERTICAL_TAB || c == '\f' || c == '\r'; // what \s matches
    }
}
