package io.mpsec.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The samples of a Prometheus text exposition ({@code /metrics}), for tests: one {@link Sample} per
 * line {@code name{label="value",...} number}. Comment lines are skipped; values are parsed as doubles
 * (exact for counters below 2^53).
 */
final class ScrapedSeries {
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)(?: \\d+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** One sample: metric name, labels, value. */
    record Sample(String name, Map<String, String> labels, double value) {
        /** Whether every {@code key, value} pair of {@code kv} is among the labels. */
        boolean has(String... kv) {
            for (int i = 0; i + 1 < kv.length; i += 2) {
                if (!kv[i + 1].equals(labels.get(kv[i]))) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Sample> samples = new ArrayList<>();

    ScrapedSeries(String body) {
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not an exposition sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, number(m.group(3))));
        }
    }

    private static double number(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v);
        };
    }

    /** Every sample of metric {@code name} whose labels include the {@code key, value} pairs {@code kv}. */
    List<Sample> all(String name, String... kv) {
        return samples.stream().filter(s -> s.name().equals(name) && s.has(kv)).toList();
    }

    /** The value of the one sample of {@code name} with labels {@code kv}; fails when there is none or more. */
    double value(String name, String... kv) {
        List<Sample> found = all(name, kv);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples of " + name + " with " + String.join(",", kv));
        }
        return found.get(0).value();
    }
}
