package io.mpsec.agent.setup;

import static io.mpsec.agent.setup.SetupSupport.demo;
import static io.mpsec.agent.setup.SetupSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpsec.testbed.Testbed;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * In the kernel lane (ESP): the agent service as systemd runs it, {@code serve --config FILE} in its
 * own JVM, takes over the secure paths that {@code setup} installed, keeps traffic flowing through
 * them, shows the peer's SAs and the rekey health on the dashboard, and on SIGTERM (systemctl stop)
 * leaves the peers blocked, never in clear.
 */
@Tag("kernel-lane")
class AgentSecurePathsLaneIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("pc1", "pc2").paths(2, 0).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theAgentOwnsTheSecurePathsAndStopsBlocked() throws Exception {
        Testbed.Host pc1 = NET.host("pc1");
        Testbed.Host pc2 = NET.host("pc2");
        Path dir1 = Files.createTempDirectory("mpsec-agent-pc1");
        Path dir2 = Files.createTempDirectory("mpsec-agent-pc2");
        Path key1 = dir1.resolve("demo.key");
        io.mpsec.ipsec.keys.KeyGen.generate(key1);
        Path key2 = dir2.resolve("demo.key");
        Files.copy(key1, key2, StandardCopyOption.COPY_ATTRIBUTES);
        Path c1 = write(dir1, "pc1.yaml", demo("pc1", key1, true));
        Path c2 = write(dir2, "pc2.yaml", demo("pc2", key2, true));
        // setup runs in its own process, as a user runs it: the key ledger is released when it exits
        assertThat(agentMain(dir1, "setup1.log", "setup", "--config", c1.toString(), "--netns", pc1.namespace(), "--state-dir",
                dir1.resolve("s").toString()).waitFor()).as(log(dir1, "setup1.log")).isZero();
        assertThat(agentMain(dir2, "setup2.log", "setup", "--config", c2.toString(), "--netns", pc2.namespace(), "--state-dir",
                dir2.resolve("s").toString()).waitFor()).as(log(dir2, "setup2.log")).isZero();

        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String agentConfig = demo("pc1", key1, true).replace("namespaces: [pc1]", "namespaces: [" + pc1.namespace() + "]\n  port: "
                + port + "\n  statusSocket: " + dir1.resolve("agent.sock"));
        Path ca = write(dir1, "agent.yaml", agentConfig);
        Process agent = agentMain(dir1, "agent.log", "serve", "--config", ca.toString());
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            JsonNode security = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300); // a JVM starts slowly under emulation
            while (System.nanoTime() < deadline) {
                assertThat(agent.isAlive()).as("the agent runs; its log:\n" + log(dir1)).isTrue();
                try {
                    security = JSON.readTree(get(http, "http://127.0.0.1:" + port + "/api/v1/security"));
                    if (security.get("peers").size() > 0 && security.get("peers").get(0).get("sas").size() > 0) {
                        break;
                    }
                } catch (IOException notYet) {
                    // the agent is starting
                }
                TimeUnit.SECONDS.sleep(1);
            }
            assertThat(security).as("dashboard security of the agent; log:\n" + log(dir1)).isNotNull();
            JsonNode peer = security.get("peers").get(0);
            assertThat(peer.get("activeGeneration").asLong()).as(security.toString())
                    .as("the agent moved to a new key generation (setup used the first)").isGreaterThanOrEqualTo(2);
            assertThat(security.toString()).doesNotContainPattern("0x[0-9a-fA-F]{32,}");
            assertThat(security.get("rekey")).as(security.toString()).isNotEmpty();

            // traffic flows through the agent's SAs, both ways (pc2 follows pc1's new generation)
            pc1.execOk("ping", "-c", "3", "-W", "5", "198.18.1.2");
            assertThat(pc1.execOk("ip", "xfrm", "policy").stdout()).doesNotContain("action block");
        } finally {
            agent.destroy(); // SIGTERM, as systemctl stop
            assertThat(agent.waitFor(60, TimeUnit.SECONDS)).as("the agent stops on SIGTERM").isTrue();
        }
        String policies = pc1.execOk("ip", "xfrm", "policy").stdout();
        assertThat(policies).as("after the agent stopped, the peers are blocked:\n" + policies).contains("action block");
        assertThat(pc1.exec("ping", "-c", "2", "-W", "2", "198.18.1.2").exitCode())
                .as("no traffic reaches the peer, not even in clear").isNotZero();
    }

    private static Process agentMain(Path dir, String logName, String... args) throws IOException {
        // the packaged launcher's compiler and collector (C1 only, serial GC), as the lane's own JVM runs: with
        // tiered C2 and G1, two CI runs saw a child JVM die under TCG with SIGSEGV at the first instruction
        // of a compiled method (the spot HotSpot re-patches while other threads run it), never with these
        List<String> cmd = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classPath(), "io.mpsec.agent.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(logName).toFile()).start();
    }

    /** This test's class path (in the kernel lane the console launcher loads it through a URLClassLoader). */
    private static String classPath() {
        java.util.LinkedHashSet<String> entries = new java.util.LinkedHashSet<>();
        for (ClassLoader l = AgentSecurePathsLaneIT.class.getClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof java.net.URLClassLoader u) {
                for (java.net.URL url : u.getURLs()) {
                    try {
                        entries.add(Path.of(url.toURI()).toString());
                    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                        // not a file: nothing to pass on
                    }
                }
            }
        }
        entries.addAll(List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)));
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static String get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(url + ": " + r.statusCode());
        }
        return r.body();
    }

    private static String log(Path dir) {
        return log(dir, "agent.log");
    }

    private static String log(Path dir, String name) {
        try {
            return Files.readString(dir.resolve(name)).replaceAll("0x[0-9a-fA-F]{16,}", "<redacted>");
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
