package io.mpsec.agent.demo;

import io.mpsec.agent.ServeOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How the demo's dashboard is reached. On the host it listens on 127.0.0.1 (no TLS, no token). In the
 * kernel lane's guest it listens on the guest's NIC, which is not loopback, so the agent's rules apply:
 * TLS (a self-signed certificate made here with openssl for 127.0.0.1, the host end of the forward)
 * and a token (random, in a 0600 file), which the demo prints so the user can sign in once.
 */
record DashboardAccess(ServeOptions options, String url, String token) {
    static DashboardAccess loopback(int port, List<String> namespaces) {
        ServeOptions o = ServeOptions.defaults().withListen("127.0.0.1", port).withStatusSocket(null).withNamespaces(false, namespaces);
        return new DashboardAccess(o, null, null);
    }

    static DashboardAccess guest(String bind, int port, List<String> namespaces) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("mpsec-demo-tls", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl could not make the dashboard's certificate: " + out.trim());
        }
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Path tokenFile = dir.resolve("token");
        Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tokenFile, token + "\n");
        ServeOptions o = ServeOptions.defaults().withListen(bind, port).withTls(cert, key).withTokenFile(tokenFile)
                .withStatusSocket(null).withNamespaces(false, namespaces);
        return new DashboardAccess(o, "https://127.0.0.1:" + port + "/", token);
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "DashboardAccess[" + options.bind() + ":" + options.port() + (token == null ? "" : ", token <redacted>") + "]";
    }
}
