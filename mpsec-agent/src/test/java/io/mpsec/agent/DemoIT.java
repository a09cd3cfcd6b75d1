package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.testbed.Privileged;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * `mpsec-agent demo --duration 20`, as `./mpsec demo` runs it: the stream survives a path cut with
 * every byte verified, the dashboard answers during the run, and nothing is left afterwards.
 */
class DemoIT {
    @Test
    void demoStreamsThroughACutServesTheDashboardAndLeavesNothing() throws Exception {
        Privileged.require();
        String rulesBefore = DemoItSupport.sh("ip", "rule");
        String xfrmBefore = DemoItSupport.sh("ip", "xfrm", "state") + DemoItSupport.sh("ip", "xfrm", "policy");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        List<String> dashboard = new ArrayList<>();
        int exit;
        try (PrintStream tee = new PrintStream(new Tee(buf, old), true, StandardCharsets.UTF_8)) {
            System.setOut(tee);
            CompletableFuture<Integer> demo = CompletableFuture.supplyAsync(() -> new CommandLine(new Main())
                    .execute("demo", "--duration", "20", "--port", Integer.toString(port)));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!demo.isDone() && System.nanoTime() < deadline) {
                TimeUnit.SECONDS.sleep(2);
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        dashboard.add(r.body());
                    }
                } catch (IOException notYet) {
                    // the dashboard starts after the testbed is built
                }
            }
            exit = demo.get(60, TimeUnit.SECONDS);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(exit).as("demo exit code; output:\n" + out).isZero();
        assertThat(out).contains("<< path 1 cut (link down)").contains("<< path 1 restored")
                .contains("every byte verified, SHA-256 equal (nothing lost)").doesNotContain("CORRUPT");
        assertThat(dashboard).as("the dashboard answered during the run").isNotEmpty();
        assertThat(dashboard.get(dashboard.size() - 1)).as("the dashboard shows the demo hosts' paths")
                .contains("pc11").contains("pc12").contains("mpsec-demo-" + ProcessHandle.current().pid() + "-pc1");
        try (Stream<Path> left = Files.list(Path.of("/var/run/netns"))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("demo namespaces removed")
                    .noneMatch(n -> n.startsWith("mpsec-demo-" + ProcessHandle.current().pid() + "-"));
        }
        assertThat(DemoItSupport.sh("ip", "rule")).as("no rule left on the host").isEqualTo(rulesBefore);
        assertThat(DemoItSupport.sh("ip", "xfrm", "state") + DemoItSupport.sh("ip", "xfrm", "policy"))
                .as("no xfrm state or policy left on the host").isEqualTo(xfrmBefore);
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] data, int off, int len) throws IOException {
            a.write(data, off, len);
            b.write(data, off, len);
        }
    }
}
