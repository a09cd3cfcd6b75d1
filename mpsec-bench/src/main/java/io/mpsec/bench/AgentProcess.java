package io.mpsec.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The agent as a separate process, as it runs on a host: {@code java -jar mpsec-agent-*-all.jar serve
 * --port P --no-host-ns --netns NS... --status-socket none} (with the JVM options given) on 127.0.0.1, its output in a log file.
 * The jar is {@code -Dmpsec.agent.jar} if set, else {@code mpsec-agent/target/mpsec-agent-*-all.jar}
 * in the working directory or one of its parents (the repository root for {@code ./mpsec bench},
 * mpsec-bench for the smoke test). Reads the process's memory and CPU from {@code /proc/PID}.
 */
final class AgentProcess implements AutoCloseable {
    /** Clock ticks per second of utime/stime in /proc/PID/stat ({@code sysconf(_SC_CLK_TCK)}, 100 on Linux). */
    private static final double CLK_TCK = clockTicks();

    private final Process process;
    private final int port;
    private final Path log;
    private final String command;

    private AgentProcess(Process process, int port, Path log, String command) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.command = command;
    }

    /** Starts the agent watching {@code namespaces} (not its own), logging to {@code log}. */
    static AgentProcess start(List<String> namespaces, List<String> jvmOptions, Path log) throws IOException {
        Path jar = findJar();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar.toString(), "serve", "--port", Integer.toString(port), "--no-host-ns", "--status-socket", "none"));
        for (String ns : namespaces) {
            cmd.add("--netns");
            cmd.add(ns);
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new AgentProcess(p, port, log, String.join(" ", cmd));
    }

    /** The agent jar, or an exception saying how to build it. */
    static Path findJar() throws IOException {
        String given = System.getProperty("mpsec.agent.jar");
        if (given != null && !given.isBlank()) {
            Path p = Path.of(given);
            if (!Files.isRegularFile(p)) {
                throw new IOException("-Dmpsec.agent.jar=" + given + " is not a file: build the agent with `mvn package` or `./mpsec build`");
            }
            return p;
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path target = d.resolve("mpsec-agent/target");
            if (Files.isDirectory(target)) {
                try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "mpsec-agent-*-all.jar")) {
                    for (Path j : jars) {
                        return j;
                    }
                }
            }
        }
        throw new IOException("no mpsec-agent/target/mpsec-agent-*-all.jar under " + Path.of("").toAbsolutePath()
                + " or its parents: build the agent first (`mvn -pl mpsec-agent -am package -DskipTests`, or `./mpsec build`), "
                + "or point -Dmpsec.agent.jar at it");
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    String command() {
        return command;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The last lines of the agent's log, for error messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** A field of /proc/PID/status in kB ({@code VmRSS}, {@code VmHWM}). */
    long statusKb(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
            }
        }
        throw new IOException("no " + field + " in /proc/" + pid() + "/status: the agent has exited?\n" + logTail());
    }

    /** CPU seconds used so far (utime + stime, fields 14 and 15 of /proc/PID/stat; proc(5)). */
    double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3 (state)
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK;
    }

    /**
     * CPU seconds used so far per thread group: utime + stime of each live thread
     * ({@code /proc/PID/task/TID/stat}), summed by thread name with its trailing number and the namespaces'
     * random names folded ({@code C2 CompilerThreN}, {@code mpsec-netns-mps}); threads that exited are
     * missing, so the sum can be below {@link #cpuSeconds()}.
     */
    Map<String, Double> cpuSecondsByThread() throws IOException {
        Map<String, Double> out = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid()), "task"))) {
            for (Path t : tasks) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(threadGroup(name), (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK, Double::sum);
                } catch (NoSuchFileException e) {
                    // the thread exited meanwhile
                }
            }
        }
        return out;
    }

    /** A thread's name (its 15-character comm) with the parts that differ from run to run folded. */
    static String threadGroup(String comm) {
        return comm.replaceAll("mpsec-\\d+-[0-9a-f]*", "").replaceAll("\\d+$", "N");
    }

    /** Threads of the process (the {@code Threads} field of /proc/PID/status). */
    long threads() throws IOException {
        return statusKb("Threads");
    }

    private static double clockTicks() {
        try {
            return Double.parseDouble(BenchNet.output("getconf", "CLK_TCK").strip());
        } catch (IOException | RuntimeException e) {
            return 100;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
