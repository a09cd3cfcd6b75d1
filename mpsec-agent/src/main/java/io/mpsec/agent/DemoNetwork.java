package io.mpsec.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Two demo hosts ("c" and "s", network namespaces) joined by two veth paths with HTB rate limits,
 * addressed in 198.18.0.0/15 (RFC 2544 benchmarking range): c has 198.18.P.1, s has 198.18.P.2 on
 * path P. Everything is removed by {@link #close()}, and by a shutdown hook if the JVM is interrupted.
 */
final class DemoNetwork implements AutoCloseable {
    final String client;
    final String server;
    private final Thread hook;

    DemoNetwork(int rateMbit) throws IOException, InterruptedException {
        String tag = ProcessHandle.current().pid() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
        client = "mpsec-demo-" + tag + "-c";
        server = "mpsec-demo-" + tag + "-s";
        hook = new Thread(this::deleteQuietly, "mpsec-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            sh("ip", "netns", "add", client);
            sh("ip", "netns", "add", server);
            for (int p = 1; p <= 2; p++) {
                sh("ip", "link", "add", "c" + p, "netns", client, "type", "veth", "peer", "name", "s" + p, "netns", server);
                sh("ip", "-n", client, "addr", "add", "198.18." + p + ".1/24", "dev", "c" + p);
                sh("ip", "-n", server, "addr", "add", "198.18." + p + ".2/24", "dev", "s" + p);
                sh("ip", "-n", client, "link", "set", "c" + p, "up");
                sh("ip", "-n", server, "link", "set", "s" + p, "up");
                shape(client, "c" + p, rateMbit);
                shape(server, "s" + p, rateMbit);
            }
            for (String ns : List.of(client, server)) {
                sh("ip", "-n", ns, "link", "set", "lo", "up");
                sh("ip", "netns", "exec", ns, "ip", "mptcp", "limits", "set", "subflows", "4", "add_addr_accepted", "4");
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static void shape(String ns, String dev, int rateMbit) throws IOException, InterruptedException {
        sh("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "10");
        sh("ip", "netns", "exec", ns, "tc", "class", "add", "dev", dev, "parent", "1:", "classid", "1:10",
                "htb", "rate", rateMbit + "mbit", "ceil", rateMbit + "mbit");
    }

    void addSubflowEndpoint(int path) throws IOException, InterruptedException {
        sh("ip", "netns", "exec", client, "ip", "mptcp", "endpoint", "add", "198.18." + path + ".1", "dev", "c" + path, "subflow");
    }

    void linkDown(int path) throws IOException, InterruptedException {
        sh("ip", "-n", client, "link", "set", "c" + path, "down");
    }

    void linkUp(int path) throws IOException, InterruptedException {
        sh("ip", "-n", client, "link", "set", "c" + path, "up");
    }

    /** tx bytes of the client's interface on {@code path}. */
    long txBytes(int path) throws IOException, InterruptedException {
        return Long.parseLong(sh("ip", "netns", "exec", client, "cat", "/sys/class/net/c" + path + "/statistics/tx_bytes").trim());
    }

    static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IOException("'" + String.join(" ", cmd) + "' failed (exit " + p.exitValue() + "): " + out.trim());
        }
        return out;
    }

    private void deleteQuietly() {
        for (String ns : new ArrayList<>(List.of(client, server))) {
            if (Files.exists(Path.of("/var/run/netns", ns))) {
                try {
                    sh("ip", "netns", "del", ns);
                } catch (IOException | InterruptedException e) {
                    System.err.println("could not delete namespace " + ns + ": " + e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        deleteQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will run
        }
    }
}
