package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.testbed.Privileged;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The demo behind `./mpsec demo` really aggregates two paths and survives losing one. */
class DemoIT {
    @Test
    void demoShowsAggregationAndSurvivesAPathCut() throws Exception {
        Privileged.require();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int exit;
        try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            exit = new CommandLine(new Main()).execute("demo", "--seconds", "3");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.println(out);
        assertThat(exit).as("demo exit code; output:\n" + out).isZero();
        assertThat(out).contains("2) two paths:").contains("2 subflows").contains("SHA-256 equal (nothing lost)");
        try (Stream<Path> left = Files.list(Path.of("/var/run/netns"))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("demo namespaces removed")
                    .noneMatch(n -> n.startsWith("mpsec-demo-" + ProcessHandle.current().pid() + "-"));
        }
    }
}
