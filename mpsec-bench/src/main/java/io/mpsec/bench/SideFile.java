package io.mpsec.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The benchmarks' own results beside JMH's: one JSON object per line in
 * {@code <dir>/<benchmark>.jsonl}, with what a JMH score cannot hold (per-cut gaps, bytes per path,
 * subflow cwnd and RTT, MIB counters, a throughput series). The directory is the system property
 * {@code mpsec.bench.dir} ({@link Suite} hands it to JMH's forks), else {@code $MPSEC_BENCH_DIR}, else
 * {@code target/bench}; {@link Report} reads the files.
 */
public final class SideFile {
    static final ObjectMapper JSON = new ObjectMapper();

    private SideFile() {
    }

    /** The directory of the side files. */
    public static Path dir() {
        String d = System.getProperty("mpsec.bench.dir", System.getenv("MPSEC_BENCH_DIR"));
        return Path.of(d == null || d.isBlank() ? "target/bench" : d);
    }

    /** Appends one record to {@code <benchmark>.jsonl}. */
    public static synchronized void append(String benchmark, Map<String, ?> record) {
        try {
            Files.createDirectories(dir());
            Files.writeString(dir().resolve(benchmark + ".jsonl"), JSON.writeValueAsString(record) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the side file of " + benchmark + " in " + dir() + ": " + e.getMessage(), e);
        }
    }

    /** Every record of {@code <benchmark>.jsonl} in {@code dir} (none when the file does not exist). */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> read(Path dir, String benchmark) throws IOException {
        Path f = dir.resolve(benchmark + ".jsonl");
        List<Map<String, Object>> out = new ArrayList<>();
        if (Files.exists(f)) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.add(JSON.readValue(line, Map.class));
                }
            }
        }
        return out;
    }
}
