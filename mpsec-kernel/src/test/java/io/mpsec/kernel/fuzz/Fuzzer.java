package io.mpsec.kernel.fuzz;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Runs a {@link FuzzTarget}: {@code mpsec.fuzz.cases} cases (default 10,000; the dedicated run
 * {@code ./mpsec fuzz} uses 100,000), each a mutation of a real input chosen by a random stream
 * derived from {@code mpsec.fuzz.seed} (default fixed, printed), the target's name and the case
 * number, so every case reproduces alone:
 * {@code -Dmpsec.fuzz.seed=S -Dmpsec.fuzz.case=N} runs only case N and prints its input.
 *
 * <p>Every decode either returns or throws the target's format exception. Anything else is recorded
 * as unexpected: another exception, an {@link Error} (stack overflow, out of memory from a length
 * taken at face value), or a single decode allocating more than {@link #MAX_ALLOCATION} bytes.
 * Prints one line per target and writes it to {@code target/fuzz/NAME.tsv} for the coverage summary.
 */
public final class Fuzzer {
    /** Fixed default seed: "MPSecFuz". */
    public static final long DEFAULT_SEED = 0x4d50536563467a7aL;
    /** One decode may allocate at most this much (a decoder that trusts a length field allocates more). */
    static final long MAX_ALLOCATION = 64L << 20;
    private static final int KEEP_FAILURES = 3;

    /** What a run found. */
    public record Report(String name, int cases, int ok, int formatErrors, int distinctFormatMessages, int unexpected,
            List<String> failures, long seed, java.util.Map<String, Integer> okOutcomes) {
        /** The one-line summary. */
        public String line() {
            StringBuilder kinds = new StringBuilder();
            okOutcomes.forEach((k, v) -> kinds.append(kinds.length() == 0 ? " [" : ", ").append(k).append(' ')
                    .append(String.format("%,d", v)));
            if (kinds.length() > 0) {
                kinds.append(']');
            }
            return String.format("[fuzz] %-34s %,9d cases  outcomes: ok %,d%s / format exception %,d (%d distinct messages)"
                    + "  unexpected exceptions %d  seed 0x%x", name, cases, ok, kinds, formatErrors, distinctFormatMessages,
                    unexpected, seed);
        }
    }

    private Fuzzer() {
    }

    /** The number of cases per target: {@code -Dmpsec.fuzz.cases}, default 10,000. */
    public static int cases() {
        return Integer.getInteger("mpsec.fuzz.cases", 10_000);
    }

    /** Runs {@link #cases()} cases of {@code t} and prints the summary line. */
    public static Report run(FuzzTarget t) {
        long seed = Long.decode(System.getProperty("mpsec.fuzz.seed", Long.toString(DEFAULT_SEED)));
        String only = System.getProperty("mpsec.fuzz.case");
        int cases = only != null ? 1 : cases();
        List<byte[]> donors = t.seeds();
        Set<String> messages = new HashSet<>();
        java.util.Map<String, Integer> okOutcomes = new java.util.TreeMap<>();
        List<String> failures = new ArrayList<>();
        int ok = 0;
        int format = 0;
        int unexpected = 0;
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < cases; i++) {
            int caseNo = only != null ? Integer.parseInt(only) : i;
            byte[] input = input(t, seed, caseNo, donors);
            if (only != null) {
                System.out.println("[fuzz] " + t.name() + " case " + caseNo + " input (" + input.length + " bytes): "
                        + HexFormat.of().formatHex(input));
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            Throwable thrown = null;
            Object result = null;
            try {
                result = t.decoder().decode(input);
            } catch (Throwable e) {
                thrown = e;
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            if (thrown == null && allocated <= MAX_ALLOCATION) {
                ok++;
                if (t.outcome() != null) {
                    okOutcomes.merge(t.outcome().apply(result), 1, Integer::sum);
                }
            } else if (thrown != null && t.formatException().isInstance(thrown)) {
                format++;
                messages.add(String.valueOf(thrown.getMessage()).replaceAll("[0-9]+", "#"));
            } else {
                unexpected++;
                if (failures.size() < KEEP_FAILURES) {
                    failures.add(describe(t, seed, caseNo, input, thrown, allocated));
                }
            }
        }
        Report r = new Report(t.name(), cases, ok, format, messages.size(), unexpected, failures, seed, okOutcomes);
        System.out.println(r.line());
        failures.forEach(System.out::println);
        if (only == null) {
            write(t, r);
        }
        return r;
    }

    /** The input of case {@code caseNo}: a seed as captured (the first cases), else a mutation of one. */
    static byte[] input(FuzzTarget t, long seed, int caseNo, List<byte[]> donors) {
        SplittableRandom rnd = new SplittableRandom(seed ^ (long) t.name().hashCode() * 0x9E3779B97F4A7C15L ^ (long) caseNo * 0xBF58476D1CE4E5B9L);
        List<byte[]> seeds = t.seeds();
        if (caseNo < seeds.size()) {
            return seeds.get(caseNo).clone();
        }
        byte[] in = seeds.get(rnd.nextInt(seeds.size())).clone();
        if (!t.extras().isEmpty() && rnd.nextInt(3) == 0) {
            in = t.extras().get(rnd.nextInt(t.extras().size())).apply(in, rnd);
            if (rnd.nextBoolean()) {
                return in;
            }
        }
        return new Mutator(rnd).mutate(in, t.fixedSize(), donors);
    }

    private static String describe(FuzzTarget t, long seed, int caseNo, byte[] input, Throwable e, long allocated) {
        StringWriter w = new StringWriter();
        w.append("[fuzz] UNEXPECTED in ").append(t.name()).append(" case ").append(String.valueOf(caseNo))
                .append(" (reproduce: -Dmpsec.fuzz.seed=0x").append(Long.toHexString(seed)).append(" -Dmpsec.fuzz.case=")
                .append(String.valueOf(caseNo)).append(")\n  input ").append(String.valueOf(input.length)).append(" bytes: ")
                .append(HexFormat.of().formatHex(input, 0, Math.min(input.length, 512)))
                .append(input.length > 512 ? "..." : "").append('\n');
        if (e == null) {
            w.append("  returned normally but allocated ").append(String.valueOf(allocated)).append(" bytes\n");
        } else {
            e.printStackTrace(new PrintWriter(w));
        }
        return w.toString();
    }

    private static void write(FuzzTarget t, Report r) {
        try {
            Path dir = Path.of("target", "fuzz");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(t.name().replaceAll("[^A-Za-z0-9._-]", "_") + ".tsv"),
                    r.line() + "\n" + "covers\t" + String.join(",", t.covers()) + "\n");
        } catch (IOException e) {
            System.out.println("[fuzz] could not write target/fuzz: " + e);
        }
    }
}
