package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KeygenCommandTest {
    @TempDir
    Path dir;

    private static int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            return new CommandLine(new Main()).execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void writesAPrivateKeyAndNeverPrintsIt() throws Exception {
        Path key = dir.resolve("master.key");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(out, err, "keygen", key.toString())).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("fingerprint");
        byte[] raw = Files.readAllBytes(key);
        String hexKey = HexFormat.of().formatHex(raw);
        assertThat(printed.toLowerCase()).as("no key material in the output").doesNotContain(hexKey.substring(0, 16));
        assertThat(printed).doesNotContain(java.util.Base64.getEncoder().encodeToString(raw).substring(0, 12));

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assertThat(run(new ByteArrayOutputStream(), again, "keygen", key.toString())).as("never overwrites").isEqualTo(1);
        assertThat(again.toString(StandardCharsets.UTF_8)).startsWith("keygen: ");
        assertThat(Files.readAllBytes(key)).isEqualTo(raw);
    }
}
