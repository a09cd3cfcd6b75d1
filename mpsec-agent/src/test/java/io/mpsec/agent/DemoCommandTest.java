package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {
    @Test
    void badArgumentsAreRejectedWithAMessage() {
        assertThat(run("--paths", "0")).contains("--paths must be 1-8, got 0");
        assertThat(run("--rate", "0")).contains("--rate must be 1-10000 Mbit/s, got 0");
        assertThat(run("--duration", "-1")).contains("--duration must be 0 (until Ctrl-C) to 86400 s, got -1");
        assertThat(run("--port", "70000")).contains("--port must be 0-65535, got 70000");
    }

    private static String run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        int exit;
        try (PrintStream capture = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            String[] full = new String[args.length + 1];
            full[0] = "demo";
            System.arraycopy(args, 0, full, 1, args.length);
            exit = new CommandLine(new Main()).execute(full);
        } finally {
            System.setErr(old);
        }
        assertThat(exit).isEqualTo(2);
        return err.toString(StandardCharsets.UTF_8);
    }
}
