package io.mpsec.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The C baseline ({@code mptcp_peer.c}, a resource of this module): compiled with {@code gcc -O2} into a
 * scratch directory when the benchmark starts (no binary is committed), then run inside a namespace as
 * a sink (blocking {@code read(2)} of 128 KiB) or a source (blocking {@code write(2)} of 128 KiB).
 * {@link #jdkUnderMptcpize()} is the same program written with JDK sockets ({@link JdkPeer}), run the
 * same way.
 */
public final class CPeer {
    /** The program and its leading arguments. */
    private final List<String> program;
    /** {@code taskset -c N} when pinned, else empty. */
    private final List<String> prefix;

    private CPeer(List<String> program, List<String> prefix) {
        this.program = program;
        this.prefix = prefix;
    }

    /** The same peer, run on CPU {@code cpu} only ({@code taskset}); -1 = anywhere. */
    public CPeer onCpu(int cpu) {
        return new CPeer(program, cpu < 0 ? List.of() : List.of("taskset", "-c", String.valueOf(cpu)));
    }

    /**
     * {@link JdkPeer} (plain {@code java.net.Socket}) in a new JVM of this Java installation with this
     * class path, under {@code mptcpize run}, which turns its TCP sockets into MPTCP sockets (LD_PRELOAD).
     * Needs {@code mptcpize} (Debian package mptcpize).
     */
    public static CPeer jdkUnderMptcpize() throws IOException {
        if (!onPath("mptcpize")) {
            throw new IOException("mptcpize not found: the JDK socket column needs it (apt-get install mptcpize)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new CPeer(List.of("mptcpize", "run", java, "-cp", System.getProperty("java.class.path"),
                JdkPeer.class.getName()), List.of());
    }

    /** {@link NettyPeer} (MPSec's {@code MptcpChannels} on Netty's epoll transport) in a new JVM of this Java installation. */
    public static CPeer nettyPeer() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new CPeer(List.of(java, "-cp", System.getProperty("java.class.path"), NettyPeer.class.getName()), List.of());
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private List<String> command(String namespace, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(program);
        cmd.addAll(List.of(args));
        return BenchNet.in(namespace, cmd.toArray(String[]::new));
    }

    /** Compiles the C peer into {@code dir}; needs {@code gcc} (Debian package gcc). */
    public static CPeer build(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path src = dir.resolve("mptcp_peer.c");
        try (InputStream in = CPeer.class.getResourceAsStream("mptcp_peer.c")) {
            if (in == null) {
                throw new IOException("resource io/mpsec/bench/mptcp_peer.c missing from the class path");
            }
            Files.copy(in, src, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path bin = dir.resolve("mptcp_peer");
        try {
            BenchNet.run("gcc", "-O2", "-Wall", "-o", bin.toString(), src.toString());
        } catch (IOException e) {
            throw new IOException("cannot compile the C peer (is gcc installed? apt-get install gcc): " + e.getMessage(), e);
        }
        return new CPeer(List.of(bin.toString()), List.of());
    }

    /** A running sink: listening once {@link #start} returns. */
    public final class Sink {
        private final Process process;
        private final int port;
        private final CompletableFuture<String> rest;

        private Sink(Process process, int port, CompletableFuture<String> rest) {
            this.process = process;
            this.port = port;
            this.rest = rest;
        }

        public int port() {
            return port;
        }

        /** Waits for the sink to see EOF and returns what it measured. */
        public PeerResult result() throws Exception {
            String out = rest.get(60, TimeUnit.SECONDS);
            process.waitFor(10, TimeUnit.SECONDS);
            return PeerResult.parse(out);
        }

        public void kill() {
            process.destroyForcibly();
        }
    }

    /** Starts a sink on {@code address} (port chosen by the kernel) in {@code namespace}. */
    public Sink sink(String namespace, String address) throws IOException {
        Process p = new ProcessBuilder(command(namespace, "sink", address, "0"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        String ready = r.readLine();
        if (ready == null || !ready.startsWith("READY ")) {
            p.destroyForcibly();
            throw new IOException("the C sink did not start: " + ready);
        }
        int port = Integer.parseInt(ready.substring(6).trim());
        CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> {
            StringBuilder b = new StringBuilder();
            try {
                String l;
                while ((l = r.readLine()) != null) {
                    b.append(l).append('\n');
                }
            } catch (IOException e) {
                b.append("ERROR ").append(e);
            }
            return b.toString();
        });
        return new Sink(p, port, rest);
    }

    /** Runs a source in {@code namespace} for {@code seconds}; it stops early below {@code minBytes} at 600 ms. */
    public PeerResult source(String namespace, String address, int port, double seconds, long minBytes) throws Exception {
        List<String> cmd = command(namespace, "source", address, String.valueOf(port), String.valueOf(seconds),
                String.valueOf(minBytes));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (!p.waitFor((long) seconds + 30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("the C source failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
        }
        return PeerResult.parse(out);
    }
}
