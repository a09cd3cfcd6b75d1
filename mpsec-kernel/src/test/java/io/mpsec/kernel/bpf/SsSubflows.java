package io.mpsec.kernel.bpf;

import io.mpsec.testbed.Testbed;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Independent view of a host's TCP sockets (MPTCP subflows included): {@code ss -tin state established}. */
final class SsSubflows {
    /** One established TCP socket as ss prints it. */
    record Subflow(String local, String peer, String info, int cwnd, double rttMillis) {
        /** The local port. */
        int localPort() {
            return Integer.parseInt(local.substring(local.lastIndexOf(':') + 1));
        }

        /** {@code bytes_acked} (tcpi_bytes_acked), 0 if ss did not print it. */
        long bytesAcked() {
            Matcher m = BYTES_ACKED.matcher(info);
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        }

        /** Total retransmitted segments ({@code retrans:cur/total}), 0 if ss did not print it. */
        long retransTotal() {
            Matcher m = RETRANS.matcher(info);
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        }

        /** Whether ss names {@code algorithm} as this socket's congestion control. */
        boolean uses(String algorithm) {
            return java.util.Arrays.asList(info.split("\\s+")).contains(algorithm);
        }
    }

    private static final Pattern CWND = Pattern.compile("\\bcwnd:(\\d+)");
    private static final Pattern RTT = Pattern.compile("\\brtt:([0-9.]+)/");
    private static final Pattern BYTES_ACKED = Pattern.compile("\\bbytes_acked:(\\d+)");
    private static final Pattern RETRANS = Pattern.compile("\\bretrans:\\d+/(\\d+)");

    private SsSubflows() {
    }

    /** The established sockets of {@code host} whose peer port is {@code peerPort}. */
    static List<Subflow> of(Testbed.Host host, int peerPort) {
        String out = host.execOk("ss", "-tin", "state", "established", "dport", "= :" + peerPort).stdout();
        List<Subflow> result = new ArrayList<>();
        String[] lines = out.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            String[] head = lines[i].trim().split("\\s+");
            if (head.length < 4 || !head[head.length - 1].endsWith(":" + peerPort)) {
                continue;
            }
            String info = lines[i + 1].trim();
            Matcher cw = CWND.matcher(info);
            Matcher rt = RTT.matcher(info);
            if (!cw.find() || !rt.find()) {
                continue;
            }
            result.add(new Subflow(head[head.length - 2], head[head.length - 1], info,
                    Integer.parseInt(cw.group(1)), Double.parseDouble(rt.group(1))));
            i++;
        }
        return result;
    }
}
