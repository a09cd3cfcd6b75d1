package io.mpsec.kernel.diag;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what {@code ss -Mni} / {@code ss -tni} print (iproute2 6.1): one header line per socket
 * ({@code State Recv-Q Send-Q Local:Port Peer:Port}) followed by one indented detail line. Used by the
 * tests to compare MPSec's decoding with ss's own reading of the same kernel data.
 */
public final class SsText {
    /** One socket: its ends (as {@link InetSocketAddress}es, IPv4-mapped as IPv4) and its detail line. */
    public record Entry(InetSocketAddress local, InetSocketAddress remote, String detail) {
        /** The value of {@code name:VALUE} in the detail line, or null. */
        public String field(String name) {
            Matcher m = Pattern.compile("(?:^|\\s)" + Pattern.quote(name) + ":(\\S+)").matcher(detail);
            return m.find() ? m.group(1) : null;
        }

        /** {@link #field} as a long, 0 when absent (ss leaves out zero counters). */
        public long number(String name) {
            String v = field(name);
            return v == null ? 0 : Long.parseLong(v);
        }

        /** Whether the detail line has the bare word {@code word} (e.g. {@code fallback}). */
        public boolean has(String word) {
            return (" " + detail + " ").contains(" " + word + " ");
        }

        /** The first word of the detail line: the congestion control for {@code ss -ti}. */
        public String firstWord() {
            return detail.trim().split("\\s+")[0];
        }

        /** tcpi_rtt in microseconds, from {@code rtt:MS/VAR}. */
        public long rttMicros() {
            return Math.round(Double.parseDouble(field("rtt").split("/")[0]) * 1000);
        }

        /** The tokens and ids of {@code token:REM(id:R)/LOC(id:L)}: {remote token, remote id, local token, local id}. */
        public long[] tokens() {
            Matcher m = Pattern.compile("token:([0-9a-f]+)\\(id:(\\d+)\\)/([0-9a-f]+)\\(id:(\\d+)\\)").matcher(detail);
            if (!m.find()) {
                throw new AssertionError("no subflow token in: " + detail);
            }
            return new long[] {Long.parseLong(m.group(1), 16), Long.parseLong(m.group(2)), Long.parseLong(m.group(3), 16),
                Long.parseLong(m.group(4))};
        }
    }

    private SsText() {
    }

    /** Every socket in {@code text}, keyed by {@code "local remote"} ({@link #key}). */
    public static Map<String, Entry> parse(String text) {
        Map<String, Entry> out = new LinkedHashMap<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String[] t = lines[i].trim().split("\\s+");
            if (lines[i].startsWith("State") || t.length < 5 || lines[i].startsWith("\t") || lines[i].startsWith(" ")) {
                continue;
            }
            String detail = i + 1 < lines.length && lines[i + 1].startsWith("\t") ? lines[i + 1].trim() : "";
            Entry e = new Entry(address(t[3]), address(t[4]), detail);
            out.put(key(e.local(), e.remote()), e);
        }
        return out;
    }

    /** The key of a socket in {@link #parse}'s map. */
    public static String key(InetSocketAddress local, InetSocketAddress remote) {
        return local.getAddress().getHostAddress() + ":" + local.getPort() + " " + remote.getAddress().getHostAddress()
                + ":" + remote.getPort();
    }

    /** {@code 198.18.2.1%c2:60077}, {@code [::ffff:198.18.1.1]:5000} or {@code [2001:2::1]:80}. */
    static InetSocketAddress address(String s) {
        int colon = s.lastIndexOf(':');
        String host = s.substring(0, colon).replace("[", "").replace("]", "");
        int pct = host.indexOf('%');
        if (pct >= 0) {
            host = host.substring(0, pct);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(s.substring(colon + 1)));
        } catch (UnknownHostException e) {
            throw new AssertionError("ss printed an address that is not numeric: " + s, e);
        }
    }

    /** The lines a capture file holds after {@code "# the command printed:"}, without their {@code "#   "} prefix. */
    public static String printedIn(String captureText) {
        StringBuilder b = new StringBuilder();
        boolean in = false;
        for (String line : captureText.split("\n")) {
            if (line.equals("# the command printed:")) {
                in = true;
            } else if (in && line.startsWith("#   ")) {
                b.append(line.substring(4)).append('\n');
            } else if (in) {
                break;
            }
        }
        return b.toString();
    }
}
