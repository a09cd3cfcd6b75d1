package io.mpsec.ipsec.paths;

import io.mpsec.kernel.netns.NetNamespace;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
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

/**
 * Runs the {@code nft} binary as a child process. With a namespace, the process is started from the
 * namespace's own thread: a child inherits the network namespace of the thread that forks it
 * ({@code setns(2)} is per thread), so {@code nft} talks to that namespace's nf_tables, exactly like
 * {@code ip netns exec NAME nft ...}.
 */
final class NftProcess implements Nft {
    /** nft lives in /usr/sbin on Debian, often missing from a non-root PATH. */
    private static final List<String> SBIN_DIRS = List.of("/usr/sbin", "/sbin", "/usr/local/sbin");
    private static final long TIMEOUT_SECONDS = 30;

    private final NetNamespace ns;
    private final Path binary;

    private NftProcess(NetNamespace ns, Path binary) {
        this.ns = ns;
        this.binary = binary;
    }

    /**
     * {@code nft} in namespace {@code ns} ({@code null}: this process's namespace).
     *
     * @throws JoinGateException when the {@code nft} tool is not installed
     */
    static NftProcess in(NetNamespace ns) throws JoinGateException {
        return in(ns, find());
    }

    /** As {@link #in(NetNamespace)} with the binary already looked up (empty: not installed). */
    static NftProcess in(NetNamespace ns, Optional<Path> binary) throws JoinGateException {
        Path nft = binary.orElseThrow(() -> new JoinGateException("the nft tool (nftables) is not installed, and MPSec's "
                + "join gate needs it to refuse MPTCP subflows that IPsec does not protect: install the Debian package "
                + "nftables ('apt-get install nftables'; './mpsec deps' installs it)"));
        return new NftProcess(ns, nft);
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
        dirs.addAll(SBIN_DIRS);
        for (String d : dirs) {
            Path p = Path.of(d, "nft");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public String where() {
        return ns == null ? "this process's namespace" : "namespace " + ns.name();
    }

    @Override
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
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new JoinGateException("nft " + String.join(" ", args) + " did not finish within " + TIMEOUT_SECONDS
                        + " s in " + where() + "; it was killed");
            }
            return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while running nft in " + where());
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new JoinGateException("reading the output of nft in " + where() + " failed: " + e, e);
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
