package io.mpsec.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * The suite's kernel-lane run {@value #NAME}: boots the lane ({@code kernel-lane/run.sh}, from the
 * repository root, the directory {@code ./mpsec} runs in) with only mpsec-bench's {@code IpsecLaneIT}
 * and, unless smoke, {@code --config mpsec.bench.lane=full}; the lane's output directory is
 * {@code <results>/IpsecLane/lane}. Afterwards {@code <results>/IpsecLane} holds the figures
 * ({@value LaneFigures#FILE}, copied from the lane) and {@code run.json} (host, command, duration),
 * which {@link Report} renders. {@code MPSEC_KL_CACHE} and {@code MPSEC_KL_TIMEOUT} (default 1200 s)
 * pass through. The lane's exit code 0 is required; anything else fails the suite.
 */
final class LaneRun {
    /** The run's name: {@code ./mpsec bench IpsecLane}. */
    static final String NAME = "IpsecLane";
    /** What reproduces the figures without the suite. */
    static final String DIRECT_COMMAND = "MPSEC_KL_MODULES=mpsec-bench MPSEC_KL_INCLUDE='.*IpsecLaneIT' "
            + "MPSEC_KL_JUNIT_ARGS='--config mpsec.bench.lane=full' kernel-lane/run.sh";

    private LaneRun() {
    }

    /** Whether the suite's NAME argument ({@code null}: everything) selects the lane run. */
    static boolean selected(String name) {
        return name == null || NAME.contains(name);
    }

    /** Runs the lane into {@code results/IpsecLane}; throws when the lane fails or writes no figures. */
    static void run(Path results, boolean smoke) throws IOException, InterruptedException {
        Path script = Path.of("kernel-lane", "run.sh").toAbsolutePath();
        if (!Files.isExecutable(script)) {
            throw new IOException("the " + NAME + " run needs the kernel lane: no executable " + script
                    + "; run ./mpsec bench from the repository root");
        }
        Path dir = results.resolve(NAME).toAbsolutePath();
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Path out = dir.resolve("lane");
        Files.createDirectories(out);
        ProcessBuilder pb = new ProcessBuilder(script.toString()).inheritIO();
        Map<String, String> env = pb.environment();
        env.put("MPSEC_KL_MODULES", "mpsec-bench");
        env.put("MPSEC_KL_INCLUDE", ".*IpsecLaneIT");
        env.put("MPSEC_KL_OUT", out.toString());
        env.putIfAbsent("MPSEC_KL_TIMEOUT", "1200");
        if (smoke) {
            env.remove("MPSEC_KL_JUNIT_ARGS");
        } else {
            env.put("MPSEC_KL_JUNIT_ARGS", "--config mpsec.bench.lane=full");
        }
        Map<String, String> facts = Suite.machine();
        facts.put("command", "./mpsec bench " + NAME);
        facts.put("started", java.time.Instant.now().toString());
        System.out.println("[bench] " + NAME + ": kernel-lane/run.sh with IpsecLaneIT" + (smoke ? " (smoke)" : " (full figures)"));
        long t0 = System.nanoTime();
        int rc = pb.start().waitFor();
        facts.put("seconds", String.format("%.0f", (System.nanoTime() - t0) / 1e9));
        facts.put("loadAfter", Suite.loadAverage());
        Path figures = (smoke ? out.resolve("smoke") : out).resolve(LaneFigures.FILE);
        if (rc != 0 || !Files.isRegularFile(figures)) {
            throw new IOException(NAME + ": the kernel lane exited with " + rc + (Files.isRegularFile(figures) ? "" : " and wrote no " + figures)
                    + "; see " + out.resolve("console.log") + " and " + out.resolve("reports"));
        }
        Files.copy(figures, dir.resolve(LaneFigures.FILE), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("run.json"), SideFile.JSON.writeValueAsString(facts), StandardCharsets.UTF_8);
    }

    /** The lane run's figures and facts under {@code results}, or null when there are none. */
    @SuppressWarnings("unchecked")
    static Map<String, Object>[] load(Path results) throws IOException {
        Path dir = results.resolve(NAME);
        if (!Files.isRegularFile(dir.resolve(LaneFigures.FILE)) || !Files.isRegularFile(dir.resolve("run.json"))) {
            return null;
        }
        return new Map[] {SideFile.JSON.readValue(dir.resolve(LaneFigures.FILE).toFile(), Map.class),
                SideFile.JSON.readValue(dir.resolve("run.json").toFile(), Map.class)};
    }

    static List<String> names() {
        return List.of(NAME);
    }
}
