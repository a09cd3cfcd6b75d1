package io.mpsec.kernel.netns;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An administration tool (for example {@code nft}) run as a child process inside one network
 * namespace, like {@code ip netns exec NAME tool ...}. The child is forked from the namespace's own
 * thread: {@code setns(2)} is per thread and a child inherits the namespace of the thread that forks it.
 * Each run has a time limit; a run that exceeds it is killed.
 */
public final class NamespaceTool {
    /** Searched after PATH: Debian installs administration tools in /usr/sbin, often missing from a non-root PATH. */
    private static final List<String> STANDARD_DIRS = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

    /** What one run printed and returned. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** Whether the tool exited with status 0. */
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private final NetNamespace ns;
    private final Path binary;
    private final long timeoutSeconds;

    /**
     * @param ns             the namespace ({@code null}: this process's namespace)
     * @param binary         the tool, as found by {@link #find(String)}
     * @param timeoutSeconds the time limit of one run
     */
    public NamespaceTool(NetNamespace ns, Path binary, long timeoutSeconds) {
        this.ns = ns;
        this.binary = Objects.requireNonNull(binary, "binary");
        if (timeoutSeconds <= 0) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeoutSeconds + " s");
        }
        this.timeoutSeconds = timeoutSeconds;
    }

    /** The executable {@code name} in PATH, then in the standard (s)bin directories; empty when it is not installed. */
    public static Optional<Path> find(String name) {
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(STANDARD_DIRS);
        return dirs.stream().map(d -> Path.of(d, name)).filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
    }

    /** Where it runs, for messages: {@code "namespace NAME"} or {@code "this process's namespace"}. */
    public String where() {
        return ns == null ? "this process's namespace" : "namespace " + ns.name();
    }

    /**
     * Runs the tool with {@code args}, writing {@code stdin} (may be null) to its standard input.
     *
     * @throws IOException when it cannot start, exceeds the time limit (it is then killed) or its output
     *                     cannot be read; {@link InterruptedIOException} when interrupted (it is killed)
     */
    public Result run(String stdin, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Process p = ns == null ? pb.start() : ns.call(pb::start);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String name = binary.getFileName().toString();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(name + " " + String.join(" ", args) + " did not finish within " + timeoutSeconds
                        + " s in " + where() + "; it was killed");
            }
            return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + name + " in " + where());
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("reading the output of " + name + " in " + where() + " failed: " + e, e);
        }
    }

    private static String readAll(InputStream s) {
        try (s) {
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<unreadable: " + e.getMessage() + ">";
        }
    }
}
