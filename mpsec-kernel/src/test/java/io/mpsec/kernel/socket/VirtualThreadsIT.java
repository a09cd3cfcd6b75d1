package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.testbed.Jdks;
import io.mpsec.testbed.Testbed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MPSec sockets on virtual threads, on a JDK 21+ found on this machine (see {@link Jdks}; the build
 * itself runs on 17), with the scheduler fixed at two carriers. Blocking calls must park the
 * virtual thread (the {@link Poller}), not pin its carrier: before the poller, 50 virtual threads
 * blocked in reads starved every other virtual thread (nothing ran within 60 s and only one of 50
 * clients could connect). Without a JDK 21+ the test skips, and fails under -Dmpsec.requireRoot=true.
 */
class VirtualThreadsIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    private static final int CONNECTIONS = 1000;
    private static final int TICKER_SECONDS = 10;

    @Test
    void thousandBlockedConnectionsDoNotStarveOtherVirtualThreads() throws Exception {
        Map<String, String> r = runOnVirtualThreads(VirtualThreadLoad.class,
                String.valueOf(CONNECTIONS), String.valueOf(TICKER_SECONDS));
        assertThat(r).containsEntry("connected", "1000").containsEntry("accepted", "1000").containsEntry("all.blocked", "true");
        assertThat(r).containsEntry("trivial.ran", "true");
        assertThat(Double.parseDouble(r.get("trivial.latency.millis"))).as("ms until a new virtual thread ran").isLessThan(1000);
        assertThat(Integer.parseInt(r.get("ticker.samples"))).as("10 ms ticks in %d s", TICKER_SECONDS).isGreaterThan(TICKER_SECONDS * 50);
        assertThat(Double.parseDouble(r.get("ticker.p99.millis"))).as("p99 lateness of a 10 ms ticker").isLessThan(50);
        assertThat(Integer.parseInt(r.get("platform.threads.peak"))).as("platform threads (2 carriers + 2 pollers + JVM)").isLessThan(40);
        assertThat(r).containsEntry("clients.done", "1000").containsEntry("servers.done", "1000").containsEntry("errors", "0");
    }

    @Test
    void socketContractHoldsOnVirtualThreads() throws Exception {
        Map<String, String> r = runOnVirtualThreads(VirtualThreadSemantics.class);
        assertThat(r).as("checks").containsKeys("readTimeout", "closeUnblocksRead", "closeUnblocksWrite", "interruptClosesRead",
                "acceptTimeout", "concurrentAccepts", "connectRefused", "bulkTransfer", "closeUnblocksAccept", "noRegistrationLeft");
        r.forEach((check, result) -> assertThat(result).as(check).isEqualTo("ok"));
    }

    /**
     * Runs {@code main} in the client namespace on a JDK 21+ with two carriers; its first arguments are
     * the server namespace and address. Returns its {@code RESULT key=value} lines.
     */
    private static Map<String, String> runOnVirtualThreads(Class<?> main, String... args) throws Exception {
        Jdks.Jdk jdk = Jdks.require(21);
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        List<String> cmd = new ArrayList<>(List.of(jdk.java().toString(), "--enable-native-access=ALL-UNNAMED",
                "-Djdk.virtualThreadScheduler.parallelism=2", "-Djdk.virtualThreadScheduler.maxPoolSize=2",
                "-XX:+UseSerialGC", "-cp", testClassPath(), main.getName(), s.namespace(), s.address(1).getHostAddress()));
        cmd.addAll(List.of(args));
        Process p = c.startProcess(cmd.toArray(String[]::new));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        String out = drain(p.getInputStream());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM ended").isTrue();
        String stderr = err.get(10, TimeUnit.SECONDS);
        System.out.printf("%s on Java %d:%n%s%s", main.getSimpleName(), jdk.feature(), out, stderr);
        assertThat(p.exitValue()).as("exit code; stderr:%n%s", stderr).isZero();
        Map<String, String> results = new LinkedHashMap<>();
        out.lines().filter(l -> l.startsWith("RESULT ")).forEach(l -> {
            int eq = l.indexOf('=');
            results.put(l.substring(7, eq), l.substring(eq + 1));
        });
        return results;
    }

    /** The test class path of this JVM (Surefire/Failsafe put it in surefire.test.class.path). */
    private static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
