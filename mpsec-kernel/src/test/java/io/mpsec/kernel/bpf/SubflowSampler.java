package io.mpsec.kernel.bpf;

import io.mpsec.testbed.Testbed;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samples a sender's TCP subflows with {@code ss -tin} about every 250 ms, from one shell loop in
 * the sender's namespace (a JVM-side exec per sample costs 0.5-2 s on a loaded machine). Each sample
 * carries the shell's clock ({@code date +%s%N}) and, per path (the local address' third byte),
 * cwnd, smoothed RTT, bytes_acked and ssthresh (0 while ss prints none: the initial infinite threshold).
 */
final class SubflowSampler implements AutoCloseable {
    /** One subflow in one sample. */
    record Flow(int localPort, int cwnd, int mss, double rttMs, long bytesAcked, long ssthresh) {
        /** {@code cwnd * mss / srtt} in Mbit/s: the rate the window allows at the measured RTT (ss's "send"). */
        double windowMbit() {
            return cwnd * (double) mss * 8 / (rttMs / 1000) / 1e6;
        }
    }

    /** One {@code ss} run: its time (ns, shell clock) and the subflows by path number. */
    record Sample(long nanos, Map<Integer, Flow> byPath) {
    }

    private static final Pattern LOCAL = Pattern.compile("^198\\.18\\.(\\d+)\\.\\d+");
    private static final Pattern CWND = Pattern.compile("\\bcwnd:(\\d+)");
    private static final Pattern MSS = Pattern.compile("\\bmss:(\\d+)");
    private static final Pattern RTT = Pattern.compile("\\brtt:([0-9.]+)/");
    private static final Pattern ACKED = Pattern.compile("\\bbytes_acked:(\\d+)");
    private static final Pattern SSTHRESH = Pattern.compile("\\bssthresh:(\\d+)");

    private final Process process;
    private final Thread reader;
    private final List<Sample> samples = new ArrayList<>();

    SubflowSampler(Testbed.Host sender, int peerPort) {
        process = sender.startProcess("sh", "-c", "while :; do echo \"@T $(date +%s%N)\"; ss -tinH state established dport = :"
                + peerPort + "; sleep 0.25; done");
        reader = new Thread(this::read, "ss-sampler");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
            long t = -1;
            Map<Integer, Flow> flows = new TreeMap<>();
            int path = -1;
            int port = 0;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("@T ")) {
                    if (t >= 0) {
                        add(new Sample(t, flows));
                    }
                    t = Long.parseLong(line.substring(3).trim());
                    flows = new TreeMap<>();
                    path = -1;
                } else if (line.isBlank()) {
                    continue;
                } else if (!Character.isWhitespace(line.charAt(0))) {
                    String[] f = line.trim().split("\\s+");
                    path = -1;
                    if (f.length >= 4) {
                        Matcher m = LOCAL.matcher(f[f.length - 2]);
                        path = m.find() ? Integer.parseInt(m.group(1)) : -1;
                        port = Integer.parseInt(f[f.length - 2].substring(f[f.length - 2].lastIndexOf(':') + 1));
                    }
                } else if (path > 0) {
                    Matcher cw = CWND.matcher(line);
                    Matcher ms = MSS.matcher(line);
                    Matcher rt = RTT.matcher(line);
                    Matcher ac = ACKED.matcher(line);
                    Matcher st = SSTHRESH.matcher(line);
                    if (cw.find() && ms.find() && rt.find()) {
                        flows.put(path, new Flow(port, Integer.parseInt(cw.group(1)), Integer.parseInt(ms.group(1)),
                                Double.parseDouble(rt.group(1)), ac.find() ? Long.parseLong(ac.group(1)) : 0,
                                st.find() ? Long.parseLong(st.group(1)) : 0));
                    }
                    path = -1;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // the process was stopped
        }
    }

    private synchronized void add(Sample s) {
        samples.add(s);
    }

    /** The samples so far, oldest first. */
    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** The wall clock now (ns since the epoch, the shell's {@code date +%s%N}), to mark an event on the samples' time axis. */
    static long clock() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        reader.join(5_000);
    }
}
