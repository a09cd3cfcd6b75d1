package io.mpsec.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code connections} MPSec connections served from virtual threads on two carriers. Two child JVMs
 * ({@link VirtualThreadsLoad}) on a JDK 21+ ({@code $MPSEC_JDK21}, the running JVM, else the newest
 * under {@code /usr/lib/jvm}), each with {@code -Djdk.virtualThreadScheduler.parallelism=2
 * -Djdk.virtualThreadScheduler.maxPoolSize=2}, in the two namespaces of an unshaped {@link BenchNet}:
 * the server listens on an {@code MpsecServerSocket} with one virtual thread per accepted connection
 * (an echo); the client opens the connections, one virtual thread each, and every one sends
 * {@code size} bytes and reads the echo in a loop, for {@code warmSeconds} (not counted), then for
 * {@code seconds}. Each end holds one socket per connection: the JVM raises its soft limit of open
 * files to the hard limit (20,000 on the build machine; a process here cannot raise the hard limit,
 * so {@code prlimit --nofile=65536} fails), which bounds {@code connections}.
 *
 * <p>Secondary results (read them, not the primary score): {@code roundTripsPerSecond},
 * {@code mbytesPerSecond} (both directions), {@code p50Millis}, {@code p99Millis},
 * {@code carriers} (most carrier threads seen), {@code platformThreads} (peak, whole JVM),
 * {@code connected}, {@code mptcpShare} (MPTCP connections / connected, from {@code isMultipath()} on the server),
 * {@code ssMptcpShare} (established MPTCP sockets that {@code ss -M} lists in the client namespace once all are connected / connected). The benchmark fails when a
 * connection is missing or any error occurred. Both children's JSON goes to the side file
 * {@code VirtualThreadsBenchmark.jsonl}. Run as root:
 * {@code java -jar mpsec-bench/target/benchmarks.jar VirtualThreadsBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class VirtualThreadsBenchmark {
    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)[^\"]*\"", Pattern.MULTILINE);

    /** The namespaces and the JDK. */
    @State(Scope.Benchmark)
    public static class Env {
        @Param({"1000", "10000"})
        public int connections;

        /** Measurement window (s). */
        @Param({"10"})
        public double seconds;

        /** Round trips before the window, not counted (JIT compilation, first allocations) (s). */
        @Param({"3"})
        public double warmSeconds;

        /**
         * {@code mpsec}: {@code MpsecSocket} / {@code MpsecServerSocket}; {@code jdk}: the JDK's own
         * {@code Socket} / {@code ServerSocket} (plain TCP, the JDK's virtual-thread poller), a baseline;
         * {@code jdk-mptcpize}: the same under {@code mptcpize run} (its TCP sockets become MPTCP).
         */
        @Param({"mpsec", "jdk", "jdk-mptcpize"})
        public String socket;

        /** Request (and echo) size in bytes. */
        @Param({"1024"})
        public int size;

        BenchNet net;
        Path java;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            if (!List.of("mpsec", "jdk", "jdk-mptcpize").contains(socket)) {
                throw new IllegalArgumentException("socket must be mpsec, jdk or jdk-mptcpize, not " + socket);
            }
            if (connections < 1 || connections > 30_000 || seconds <= 0 || warmSeconds < 0 || size < 1) {
                throw new IllegalArgumentException("connections must be 1..30000, seconds > 0, warmSeconds >= 0 and size >= 1, not "
                        + connections + ", " + seconds + ", " + warmSeconds + ", " + size);
            }
            java = jdk21().orElseThrow(() -> new IllegalStateException(
                    "no JDK 21+ (virtual threads) found: set MPSEC_JDK21 to a JDK home or install one under /usr/lib/jvm"));
            net = BenchNet.create(true, null);
            // the accept queue must hold a burst of connects (the listener asks for connections + 16)
            BenchNet.run("ip", "netns", "exec", net.server(), "sysctl", "-q", "-w", "net.core.somaxconn=" + (connections + 16));
            BenchNet.run("ip", "netns", "exec", net.server(), "sysctl", "-q", "-w", "net.ipv4.tcp_max_syn_backlog=" + (connections + 16));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (net != null) {
                net.close();
            }
        }
    }

    /** The figures, reported by JMH as secondary metrics. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Result {
        public double roundTripsPerSecond;
        public double mbytesPerSecond;
        public double p50Millis;
        public double p99Millis;
        public double carriers;
        public double platformThreads;
        public double connected;
        public double mptcpShare;
        public double ssMptcpShare;
    }

    @Benchmark
    public void serve(Env env, Result result) throws Exception {
        Process server = new ProcessBuilder(command(env, env.net.server(), "server", BenchNet.SERVER_ADDRESS, String.valueOf(env.size)))
                .start();
        CompletableFuture<String> serverErr = CompletableFuture.supplyAsync(() -> drain(server.getErrorStream()));
        Map<String, Object> s;
        Map<String, Object> c;
        String clientErr;
        long ssMptcp = -1;
        try {
            BufferedReader serverOut = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String first = serverOut.readLine();
            if (first == null || !first.startsWith("PORT ")) {
                server.destroyForcibly();
                throw new IllegalStateException("the server printed no port: " + first + "\n" + serverErr.get(10, TimeUnit.SECONDS));
            }
            Process client = new ProcessBuilder(command(env, env.net.client(), "client", BenchNet.SERVER_ADDRESS, first.substring(5),
                    String.valueOf(env.connections), String.valueOf(env.warmSeconds), String.valueOf(env.seconds), String.valueOf(env.size))).start();
            client.getOutputStream().close();
            CompletableFuture<String> cErr = CompletableFuture.supplyAsync(() -> drain(client.getErrorStream()));
            BufferedReader clientOut = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder cOut = new StringBuilder();
            for (String l = clientOut.readLine(); l != null; l = clientOut.readLine()) {
                cOut.append(l).append('\n');
                if (l.equals("CONNECTED")) {
                    ssMptcp = ssMptcpEstablished(env.net.client());
                }
            }
            if (!client.waitFor((long) (env.warmSeconds + env.seconds) + 240, TimeUnit.SECONDS)) {
                client.destroyForcibly();
            }
            clientErr = cErr.get(10, TimeUnit.SECONDS);
            c = result(cOut.toString(), "client", clientErr);
            server.getOutputStream().close(); // the server prints its result and exits
            String sOut = drain(server.getInputStream());
            server.waitFor(60, TimeUnit.SECONDS);
            s = result(sOut, "server", serverErr.get(10, TimeUnit.SECONDS));
        } finally {
            server.destroyForcibly();
        }
        Map<String, Object> rec = new LinkedHashMap<>(c);
        s.forEach((k, v) -> rec.put("server." + k, v));
        rec.put("ssMptcpEstablished", ssMptcp);
        rec.put("jdk", env.java.toString());
        SideFile.append("VirtualThreadsBenchmark", rec);
        System.out.println("virtual threads: " + rec);
        int connected = ((Number) c.get("connected")).intValue();
        int errors = ((Number) c.get("errors")).intValue() + ((Number) s.get("errors")).intValue();
        if (connected != env.connections || ((Number) s.get("accepted")).intValue() != env.connections || errors != 0
                || !Boolean.TRUE.equals(c.get("allFinished"))) {
            throw new IllegalStateException("not every connection was served: " + rec + "\n" + clientErr);
        }
        result.roundTripsPerSecond = num(c, "roundTripsPerSecond");
        result.mbytesPerSecond = num(c, "bytesPerSecond") / 1e6;
        result.p50Millis = num(c, "p50Millis");
        result.p99Millis = num(c, "p99Millis");
        result.carriers = num(s, "carriersPeak");
        result.platformThreads = num(s, "platformThreadsPeak");
        result.connected = connected;
        result.mptcpShare = num(s, "mptcp") / connected;
        result.ssMptcpShare = (double) ssMptcp / connected;
        if (!env.socket.equals("jdk") && result.ssMptcpShare == 0) {
            throw new IllegalStateException("no connection was MPTCP: " + rec);
        }
    }

    /** {@code java ... VirtualThreadsLoad args} in {@code namespace}, on two carriers, with the hard limit of open files. */
    private static List<String> command(Env env, String namespace, String... args) {
        List<String> cmd = new ArrayList<>(BenchNet.in(namespace));
        if (env.socket.equals("jdk-mptcpize")) {
            cmd.addAll(List.of("mptcpize", "run"));
        }
        cmd.addAll(List.of(env.java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-Djdk.virtualThreadScheduler.parallelism=2", "-Djdk.virtualThreadScheduler.maxPoolSize=2", "-XX:+UseSerialGC",
                "-Xmx512m", "-Dmpsec.vt.socket=" + (env.socket.equals("mpsec") ? "mpsec" : "jdk"), "-cp", System.getProperty("java.class.path"),
                VirtualThreadsLoad.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> result(String out, String side, String stderr) throws IOException {
        String line = out.lines().filter(l -> l.startsWith(VirtualThreadsLoad.PREFIX)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the " + side + " printed no result:\n" + out + stderr));
        return SideFile.JSON.readValue(line.substring(VirtualThreadsLoad.PREFIX.length()), Map.class);
    }

    /** Established MPTCP sockets in {@code namespace} ({@code ss -HMn state established}, one line each), an independent count. */
    static long ssMptcpEstablished(String namespace) throws IOException {
        return BenchNet.output("ip", "netns", "exec", namespace, "ss", "-HMn", "state", "established").lines()
                .filter(l -> !l.isBlank()).count();
    }

    private static double num(Map<String, Object> r, String key) {
        return ((Number) r.get(key)).doubleValue();
    }

    /** {@code $MPSEC_JDK21} (a JDK home), the running JVM, else the newest JDK 21+ under /usr/lib/jvm: its {@code bin/java}. */
    static Optional<Path> jdk21() throws IOException {
        List<Path> homes = new ArrayList<>();
        String configured = System.getenv("MPSEC_JDK21");
        if (configured != null && !configured.isBlank()) {
            homes.add(Path.of(configured.strip()));
        }
        homes.add(Path.of(System.getProperty("java.home")));
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                s.sorted().forEach(homes::add);
            }
        }
        return homes.stream().filter(h -> feature(h) >= 21 && Files.isExecutable(h.resolve("bin/java")))
                .max(Comparator.comparingInt(VirtualThreadsBenchmark::feature)).map(h -> h.resolve("bin/java"));
    }

    private static int feature(Path home) {
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static String drain(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
