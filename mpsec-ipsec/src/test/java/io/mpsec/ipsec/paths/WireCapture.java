package io.mpsec.ipsec.paths;

import io.mpsec.testbed.Testbed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent witness for the "no cleartext" tests: tcpdump on every interface of a host, with
 * epoch timestamps, printing every packet the filter matches (the tests pass {@code tcp and host ...}:
 * ESP is IP protocol 50, so any TCP packet between the peers it prints left or arrived in clear).
 * Timestamps are CLOCK_REALTIME, the clock of {@link System#currentTimeMillis()}, so packets can be
 * split into before and after a moment the test recorded.
 */
final class WireCapture implements AutoCloseable {
    private static final Pattern LINE = Pattern.compile("^(\\d+)\\.(\\d{6})\\s.*?\\bIP6? (\\S+?)\\.(\\d+) > (\\S+?)\\.(\\d+):");
    private final Process process;
    private final List<Packet> packets = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private final CountDownLatch listening = new CountDownLatch(1);
    private final Thread out;
    private final Thread err;

    /** One captured packet: when (epoch microseconds), from and to which address. */
    record Packet(long micros, String source, String destination, String line) {
        boolean from(String address) {
            return source.equals(address);
        }
    }

    private WireCapture(Process p) {
        this.process = p;
        this.out = new Thread(() -> read(true), "wire-capture-out");
        this.err = new Thread(() -> read(false), "wire-capture-err");
        out.setDaemon(true);
        err.setDaemon(true);
        out.start();
        err.start();
    }

    /** Starts tcpdump in {@code h} on all interfaces with {@code filter}; returns once it listens. */
    static WireCapture start(Testbed.Host h, String filter) throws Exception {
        WireCapture c = new WireCapture(h.startProcess("tcpdump", "-i", "any", "-n", "-tt", "-l", "--immediate-mode",
                "-B", "16384", filter));
        if (!c.listening.await(60, TimeUnit.SECONDS)) {
            c.close();
            throw new AssertionError("tcpdump did not start within 60 s: " + c.stderr);
        }
        return c;
    }

    private void read(boolean stdout) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                stdout ? process.getInputStream() : process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null;) {
                if (stdout) {
                    Matcher m = LINE.matcher(l);
                    if (m.find()) {
                        synchronized (packets) {
                            packets.add(new Packet(Long.parseLong(m.group(1)) * 1_000_000L + Long.parseLong(m.group(2)),
                                    m.group(3), m.group(5), l));
                        }
                    }
                } else {
                    synchronized (stderr) {
                        stderr.append(l).append('\n');
                    }
                    if (l.contains("listening on")) {
                        listening.countDown();
                    }
                }
            }
        } catch (IOException ignored) {
            // tcpdump ended
        }
    }

    /** Stops tcpdump (SIGTERM: it flushes and prints its drop counts) and returns every packet seen. */
    List<Packet> stop() throws InterruptedException {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
        out.join(10_000);
        err.join(10_000);
        synchronized (packets) {
            return List.copyOf(packets);
        }
    }

    /** tcpdump's closing report ("N packets captured ... M packets dropped by kernel"). */
    String summary() {
        synchronized (stderr) {
            return stderr.toString().replaceAll("(?s).*?(\\d+ packets captured)", "$1").replace('\n', ' ').trim();
        }
    }

    /** Packets dropped by the kernel before tcpdump read them (-1 if not reported). */
    long droppedByKernel() {
        Matcher m = Pattern.compile("(\\d+) packets dropped by kernel").matcher(summary());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static long count(List<Packet> ps, long afterMicros, String fromAddress) {
        return ps.stream().filter(p -> p.micros() > afterMicros && (fromAddress == null || p.from(fromAddress))).count();
    }

    static long countBefore(List<Packet> ps, long beforeMicros) {
        return ps.stream().filter(p -> p.micros() < beforeMicros).count();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
