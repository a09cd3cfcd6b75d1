package io.mpsec.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The benchmark figures that need ESP or netem, measured inside the kernel lane (Debian's 6.1 kernel
 * under qemu TCG; see kernel-lane/README.md) by the lane test {@code IpsecLaneIT}, which
 * {@link LaneRun} starts from {@code ./mpsec bench IpsecLane}: the SA control plane
 * ({@link SaControlPlane}), TCP and MPTCP over ESP against cleartext and a rekey under load
 * ({@link EspThroughput}), and unbalanced delay ({@link DelayUnbalanced}). Everything goes into one
 * JSON file, {@value #FILE}, in the lane's read-write output directory; the host renders it
 * ({@link LaneSection}). All figures are ratios within the same guest; under software emulation AES
 * dominates, so they do not predict real hardware.
 */
public final class LaneFigures {
    /** The results file in the lane's output directory. */
    public static final String FILE = "ipsec-lane.json";

    /** Sizes of one run. */
    public record Params(int sas, int saRounds, int espRounds, double warmSeconds, double seconds, int unbalancedRateMbit,
            int[] delaysMillis, int unbalancedRounds, double unbalancedWarmSeconds, double unbalancedSeconds) {
        /** The full figures: about 5-10 minutes in the guest, depending on the host's load. */
        public static Params full() {
            return new Params(100, 5, 2, 1.5, 3, 5, new int[] {5, 50}, 2, 2, 4);
        }

        /** The CI smoke: every figure once, small. */
        public static Params smoke() {
            return new Params(10, 1, 1, 1, 1, 5, new int[] {5, 50}, 1, 1, 1.5);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sas", sas);
            m.put("saRounds", saRounds);
            m.put("espRounds", espRounds);
            m.put("warmSeconds", warmSeconds);
            m.put("seconds", seconds);
            m.put("unbalancedRateMbit", unbalancedRateMbit);
            m.put("delaysMillis", delaysMillis);
            m.put("unbalancedRounds", unbalancedRounds);
            m.put("unbalancedWarmSeconds", unbalancedWarmSeconds);
            m.put("unbalancedSeconds", unbalancedSeconds);
            return m;
        }
    }

    private LaneFigures() {
    }

    /** Measures every figure and returns the record that {@link #write} stores. */
    public static Map<String, Object> measure(Params p) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kernel", BenchNet.output("uname", "-r").strip());
        out.put("cpus", Runtime.getRuntime().availableProcessors());
        out.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        out.put("started", java.time.Instant.now().toString());
        out.put("params", p.toMap());
        long t0 = System.nanoTime();
        out.put("saControlPlane", SaControlPlane.run(p.sas(), p.saRounds()));
        long t1 = System.nanoTime();
        try (PathNet net = PathNet.create(1000, 1000)) {
            out.put("esp", EspThroughput.run(net, p.espRounds(), p.warmSeconds(), p.seconds()));
            out.put("espSasLeft", saCount(net.client()) + saCount(net.server()));
            long t2 = System.nanoTime();
            out.put("unbalanced", DelayUnbalanced.run(net, p.unbalancedRateMbit(), p.delaysMillis(), p.unbalancedRounds(),
                    p.unbalancedWarmSeconds(), p.unbalancedSeconds()));
            long t3 = System.nanoTime();
            out.put("secondsSa", (t1 - t0) / 1e9);
            out.put("secondsEsp", (t2 - t1) / 1e9);
            out.put("secondsUnbalanced", (t3 - t2) / 1e9);
        }
        out.put("seconds", (System.nanoTime() - t0) / 1e9);
        return out;
    }

    /** ESP SAs in {@code namespace}, as MPSec's binding dumps them. */
    static int saCount(String namespace) throws IOException {
        try (io.mpsec.kernel.netns.NetNamespace n = io.mpsec.kernel.netns.NetNamespace.open(namespace);
                io.mpsec.ipsec.xfrm.XfrmClient x = io.mpsec.ipsec.xfrm.XfrmClient.open(n)) {
            return x.dumpSas().size();
        }
    }

    /** Writes {@code record} as {@value #FILE} into {@code dir}; returns the file. */
    public static Path write(Path dir, Map<String, Object> record) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve(FILE);
        Files.writeString(f, SideFile.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(record), StandardCharsets.UTF_8);
        return f;
    }

    /**
     * The lane's read-write output directory as seen in the guest: the {@code mpsec_rw=} parameter
     * kernel-lane/run.sh puts on the kernel command line (the guest mounts that host directory at the
     * same path), else the system property {@code mpsec.bench.dir}, else {@link SideFile#dir()}.
     */
    public static Path outputDir() throws IOException {
        Path cmdline = Path.of("/proc/cmdline");
        if (Boolean.getBoolean("mpsec.kernelLane") && Files.isReadable(cmdline)) {
            for (String arg : Files.readString(cmdline).trim().split("\\s+")) {
                if (arg.startsWith("mpsec_rw=")) {
                    return Path.of(arg.substring("mpsec_rw=".length()));
                }
            }
        }
        return SideFile.dir();
    }
}
