package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.testbed.Privileged;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/** Test material made at test time: a self-signed certificate (openssl req -x509) and a token file. */
final class TestTls {
    private TestTls() {
    }

    /** Makes {@code cert.pem} and {@code key.pem} (EC P-256, mode 0600) for the IP {@code ip} in {@code dir}. */
    static Path[] selfSigned(Path dir, String ip) throws Exception {
        Path openssl = Privileged.requireTool("openssl", "openssl");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder(openssl.toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=" + ip, "-addext",
                "subjectAltName=IP:" + ip, "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("openssl req -x509: " + out).isZero();
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return new Path[] {cert, key};
    }

    /** A random 256-bit token (base64) written to {@code file} with mode 0600; returns the token. */
    static String tokenFile(Path file) throws Exception {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        String token = Base64.getEncoder().encodeToString(b);
        Files.writeString(file, token + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return token;
    }
}
