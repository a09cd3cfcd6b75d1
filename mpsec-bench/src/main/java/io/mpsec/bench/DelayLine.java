package io.mpsec.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A propagation delay for testbeds on a kernel without netem ({@code delay_line.c}, a resource of this
 * module, compiled with {@code gcc} on first use; no binary is committed): a TUN device in a
 * namespace that holds every packet routed into it for a fixed time and then hands it back to the
 * kernel, which forwards it on. The caller routes traffic into {@link #device()} (for example with
 * {@code ip rule add iif DEV lookup T}); packets coming back out of the TUN device have it as their
 * input interface, so the same rule does not catch them twice. {@link #close()} stops the program
 * and returns what it counted, so a run can show that the delay held.
 */
public final class DelayLine implements AutoCloseable {
    private static final Pattern DONE = Pattern.compile("DONE packets=(\\d+) dropped=(\\d+) late_1ms=(\\d+) late_max_us=(\\d+)");
    private static Path binary;

    private final Process process;
    private final BufferedReader out;
    private final String device;

    /** What the line counted: packets forwarded, dropped for a full FIFO, sent more than 1 ms late, and the latest. */
    public record Counts(long packets, long dropped, long late1ms, long lateMaxMicros) {
    }

    private DelayLine(Process process, BufferedReader out, String device) {
        this.process = process;
        this.out = out;
        this.device = device;
    }

    /** Starts a line named {@code device} in {@code namespace} that delays every packet by {@code delayMicros}; brings it up. */
    public static DelayLine start(String namespace, String device, long delayMicros) throws IOException {
        if (delayMicros <= 0) {
            throw new IllegalArgumentException("delayMicros must be positive: " + delayMicros);
        }
        Process p = new ProcessBuilder(BenchNet.in(namespace, binary().toString(), device, String.valueOf(delayMicros)))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        String ready = r.readLine();
        if (ready == null || !ready.startsWith("READY ")) {
            p.destroyForcibly();
            throw new IOException("the delay line did not start in " + namespace + " (needs /dev/net/tun, CONFIG_TUN): " + ready);
        }
        if (ready.contains("not real-time")) {
            System.err.println("delay line " + device + ": no SCHED_FIFO, the delay may stretch under load");
        }
        DelayLine line = new DelayLine(p, r, device);
        try {
            BenchNet.run("ip", "-n", namespace, "link", "set", device, "up");
        } catch (IOException | RuntimeException e) {
            line.close();
            throw e;
        }
        return line;
    }

    public String device() {
        return device;
    }

    /** Stops the line (SIGTERM) and returns its counts; null if it had already died or did not report. */
    public Counts stop() {
        process.toHandle().destroy();   // SIGTERM; Process.destroy() would also close the output the counts arrive on
        try {
            String line;
            while ((line = out.readLine()) != null) {
                Matcher m = DONE.matcher(line);
                if (m.find()) {
                    return new Counts(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                            Long.parseLong(m.group(4)));
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        } finally {
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }

    private static synchronized Path binary() throws IOException {
        if (binary != null) {
            return binary;
        }
        Path dir = Files.createTempDirectory("mpsec-delay-line");
        Path src = dir.resolve("delay_line.c");
        Path bin = dir.resolve("delay_line");
        dir.toFile().deleteOnExit();
        src.toFile().deleteOnExit();
        bin.toFile().deleteOnExit();
        try (InputStream in = DelayLine.class.getResourceAsStream("delay_line.c")) {
            if (in == null) {
                throw new IOException("resource io/mpsec/bench/delay_line.c missing from the class path");
            }
            Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            BenchNet.run("gcc", "-O2", "-Wall", "-pthread", "-o", bin.toString(), src.toString());
        } catch (IOException e) {
            throw new IOException("cannot compile the delay line (is gcc installed? apt-get install gcc): " + e.getMessage(), e);
        }
        binary = bin;
        return bin;
    }
}
