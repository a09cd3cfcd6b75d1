package io.mpsec.ipsec.paths;

import io.mpsec.testbed.Testbed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * tcpdump on one interface of a testbed host (an independent view of the wire), read back with
 * {@code tcpdump -r -v}: TCP packets, MPTCP MP_JOIN SYNs and SYN/ACKs, packets with payload, ESP
 * packets and ICMP echoes (a ping during the capture proves that it sees the interface).
 */
final class JoinCapture implements AutoCloseable {
    private static final Pattern LENGTH = Pattern.compile("length (\\d+)\\s*$");
    private static final Pattern DROPPED = Pattern.compile("(\\d+) packets dropped by kernel");

    private final Process process;
    private final Path file;
    private final StringBuilder stderr = new StringBuilder();
    private final CountDownLatch listening = new CountDownLatch(1);

    /** What the capture saw. */
    record Counts(int tcpPackets, int joinSyns, int joinSynAcks, int payloadPackets, long payloadBytes, int capableSyns,
            int espPackets, int icmpEchoes, long dropped, List<String> joinLines) {
        int joins() {
            return joinSyns + joinSynAcks;
        }

        @Override
        public String toString() {
            return "tcp=" + tcpPackets + " joinSYN=" + joinSyns + " joinSYN/ACK=" + joinSynAcks + " payload=" + payloadPackets
                    + " (" + payloadBytes + " B) capableSYN=" + capableSyns + " esp=" + espPackets + " icmpEcho=" + icmpEchoes
                    + " dropped=" + dropped;
        }
    }

    private JoinCapture(Process p, Path file) {
        this.process = p;
        this.file = file;
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    synchronized (stderr) {
                        stderr.append(l).append('\n');
                    }
                    if (l.contains("listening on")) {
                        listening.countDown();
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
        }, "join-capture");
        t.setDaemon(true);
        t.start();
    }

    /** Starts {@code tcpdump -i iface filter} in {@code h}, writing to a file in {@code dir}; returns once it listens. */
    static JoinCapture start(Testbed.Host h, String iface, Path dir, String filter, int readySeconds) throws Exception {
        Path f = dir.resolve("cap-" + h.name() + "-" + iface + "-" + System.nanoTime() + ".pcap");
        JoinCapture c = new JoinCapture(h.startProcess("tcpdump", "-i", iface, "-nn", "-U", "-s", "200", "-w", f.toString(), filter), f);
        if (!c.listening.await(readySeconds, TimeUnit.SECONDS)) {
            c.process.destroyForcibly();
            throw new AssertionError("tcpdump on " + iface + " in " + h.name() + " did not start: " + c.stderr());
        }
        return c;
    }

    private String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    /** Stops tcpdump (SIGTERM: it flushes and prints its statistics) and counts what it wrote. */
    Counts stop() throws Exception {
        // SIGINT: tcpdump flushes and prints its statistics (here it exited silently on SIGTERM).
        // 'ip netns exec' execs tcpdump, so the process is tcpdump itself.
        List<String> kill = new ArrayList<>(List.of("kill", "-INT", String.valueOf(process.pid())));
        process.descendants().forEach(h -> kill.add(String.valueOf(h.pid())));
        new ProcessBuilder(kill).start().waitFor(10, TimeUnit.SECONDS);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("tcpdump did not stop: " + stderr());
        }
        Thread.sleep(200); // the stderr reader gets the statistics lines
        Matcher d = DROPPED.matcher(stderr());
        if (!d.find()) {
            throw new AssertionError("tcpdump printed no statistics, so its capture cannot be trusted: " + stderr());
        }
        long dropped = Long.parseLong(d.group(1));
        Process r = new ProcessBuilder("tcpdump", "-r", file.toString(), "-nn", "-v").redirectErrorStream(false).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = in.readLine()) != null;) {
                lines.add(l);
            }
        }
        r.getErrorStream().readAllBytes();
        r.waitFor(60, TimeUnit.SECONDS);
        int tcp = 0;
        int joinSyn = 0;
        int joinSynAck = 0;
        int payload = 0;
        long payloadBytes = 0;
        int capable = 0;
        int esp = 0;
        int icmp = 0;
        List<String> joinLines = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith(" ") && l.contains(": ESP(spi=")) {
                esp++;
                continue;
            }
            if (l.startsWith(" ") && l.contains(": ICMP echo")) {
                icmp++;
                continue;
            }
            // with -v the TCP header is on the second, indented line of each packet: "    a.p > b.q: Flags [S], ..."
            if (!l.startsWith(" ") || !l.contains(" Flags [")) {
                continue;
            }
            tcp++;
            boolean syn = l.contains("Flags [S]");
            boolean synAck = l.contains("Flags [S.]");
            if (l.contains("mptcp") && l.contains(" join ")) {
                if (syn) {
                    joinSyn++;
                } else if (synAck) {
                    joinSynAck++;
                }
                if (syn || synAck) {
                    joinLines.add(l.strip());
                }
            }
            if (syn && l.contains(" capable ")) {
                capable++;
            }
            Matcher m = LENGTH.matcher(l);
            if (m.find() && Long.parseLong(m.group(1)) > 0) {
                payload++;
                payloadBytes += Long.parseLong(m.group(1));
            }
        }
        return new Counts(tcp, joinSyn, joinSynAck, payload, payloadBytes, capable, esp, icmp, dropped, joinLines);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
