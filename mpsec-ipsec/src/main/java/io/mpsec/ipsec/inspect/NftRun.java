package io.mpsec.ipsec.inspect;

import io.mpsec.kernel.netns.NetNamespace;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the {@code nft} tool in one network namespace: only to install, check and remove the counters
 * table (rare calls); the counters are read over netlink ({@link GetCounterObjects}). The child is
 * forked from the namespace's own thread, so it inherits that namespace ({@code setns(2)} is per thread).
 */
final class NftRun {
    /** What one run printed and returned. */
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private static final long TIMEOUT_SECONDS = 30;
    private final NetNamespace ns;
    private final Path binary;

    private NftRun(NetNamespace ns, Path binary) {
        this.ns = ns;
        this.binary = binary;
    }

    /** {@code nft} in {@code ns} ({@code null}: this process's namespace); fails when nft is not installed. */
    static NftRun in(NetNamespace ns) throws IOException {
        Path nft = find().orElseThrow(() -> new IOException("the nft tool (nftables) is not installed; the peer traffic "
                + "counters need it to install their table: install the Debian package nftables ('apt-get install nftables')"));
        return new NftRun(ns, nft);
    }

    static Optional<Path> find() {
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/local/sbin"));
        return dirs.stream().map(d -> Path.of(d, "nft")).filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
    }

    String where() {
        return ns == null ? "this process's namespace" : "namespace " + ns.name();
    }

    Result run(String stdin, String... args) throws IOException {
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
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("nft " + String.join(" ", args) + " did not finish within " + TIMEOUT_SECONDS + " s in "
                        + where() + "; it was killed");
            }
            return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running nft in " + where());
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("reading the output of nft in " + where() + " failed: " + e, e);
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
