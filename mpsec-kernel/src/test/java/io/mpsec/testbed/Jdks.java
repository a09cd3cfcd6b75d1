package io.mpsec.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds an installed JDK of a given feature version or newer, for tests that must run code on a
 * newer JVM than the build's (virtual threads need 21+). Looked up in this order: the system
 * property {@code mpsec.jdk21}, the environment variable {@code MPSEC_JDK21} (a JDK home or its
 * {@code bin/java}), the running JVM, then every JDK under {@code /usr/lib/jvm} (the newest wins).
 */
public final class Jdks {
    private static final Path JVM_DIR = Path.of("/usr/lib/jvm");
    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)[^\"]*\"", Pattern.MULTILINE);

    /** A JDK: its {@code bin/java} and feature version. */
    public record Jdk(Path java, int feature) {
    }

    private Jdks() {
    }

    /** The newest JDK with feature version {@code >= minimum}, if one is installed. */
    public static Optional<Jdk> atLeast(int minimum) {
        List<Path> homes = new ArrayList<>();
        String configured = System.getProperty("mpsec.jdk21", System.getenv("MPSEC_JDK21"));
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured.strip());
            homes.add(p.endsWith(Path.of("bin", "java")) ? p.getParent().getParent() : p);
        }
        homes.add(Path.of(System.getProperty("java.home")));
        if (Files.isDirectory(JVM_DIR)) {
            try (Stream<Path> s = Files.list(JVM_DIR)) {
                s.sorted().forEach(homes::add);
            } catch (IOException ignored) {
                // no listing: fall through with what we have
            }
        }
        Optional<Jdk> first = homes.stream().limit(2).map(Jdks::describe).flatMap(Optional::stream)
                .filter(j -> j.feature() >= minimum).findFirst();
        if (first.isPresent()) {
            return first;
        }
        return homes.stream().skip(2).map(Jdks::describe).flatMap(Optional::stream)
                .filter(j -> j.feature() >= minimum).max(Comparator.comparingInt(Jdk::feature));
    }

    /** Like {@link #atLeast}, but a missing JDK skips the test (fails it under -Dmpsec.requireRoot=true). */
    public static Jdk require(int minimum) {
        Optional<Jdk> jdk = atLeast(minimum);
        if (jdk.isEmpty()) {
            Privileged.unavailable("no JDK " + minimum + "+ found (looked at -Dmpsec.jdk21, $MPSEC_JDK21, the running JVM and "
                    + JVM_DIR + "/*); install one (for example Temurin 25 under " + JVM_DIR + ") or point MPSEC_JDK21 at it");
        }
        return jdk.get();
    }

    private static Optional<Jdk> describe(Path home) {
        Path java = home.resolve("bin").resolve("java");
        Path release = home.resolve("release");
        if (!Files.isExecutable(java) || !Files.isRegularFile(release)) {
            return Optional.empty();
        }
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(release));
            if (!m.find()) {
                return Optional.empty();
            }
            int v = Integer.parseInt(m.group(1));
            return Optional.of(new Jdk(java.toRealPath(), v == 1 ? 8 : v));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
