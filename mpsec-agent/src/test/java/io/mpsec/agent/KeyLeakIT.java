package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.agent.http.AccessToken;
import io.mpsec.agent.http.TlsFiles;
import io.mpsec.agent.log.EventLog;
import io.mpsec.agent.status.SaFixture;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.keys.DerivedSa;
import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.keys.MasterKeyFile;
import io.mpsec.ipsec.keys.SaKeyDerivation;
import io.mpsec.ipsec.paths.RekeyHealth;
import io.mpsec.testbed.Privileged;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No key byte leaves the agent: a master key made by {@code mpsec keygen}, the SA keys derived from it
 * (two generations, both directions), SAs with those keys in the agent's registry (as SecurePaths would
 * report them), and then every output is collected and searched for each key in hex (lower and upper
 * case) and base64 at all three byte alignments: HTTP pages and API answers (401s, login page, failed
 * logins, /metrics with the bearer token and with the session cookie), the structured log, the status
 * summary and JSON, the keygen output, the messages of the errors a misconfiguration produces (key file
 * too open, the master key file given as TLS key or token file), and toString of the key objects.
 * Key material is also presented as wrong tokens, so a log or page that echoed a presented token would
 * fail the test.
 *
 * <p>The agent does not take a master key yet (SecurePaths is not wired into {@code serve}); the keys
 * enter through the SAs bound to its registry, which is what {@code serve} will show once it is.
 */
class KeyLeakIT {
    @TempDir
    Path dir;
    final StringBuilder corpus = new StringBuilder();

    @Test
    void noKeyInAnyOutput() throws Exception {
        Path curl = Privileged.requireTool("curl", "curl");
        Path keyFile = dir.resolve("master.key");
        String[] keygen = ServeCommandTest.run("keygen", keyFile.toString());
        assertThat(keygen[0]).as(keygen[2]).isEqualTo("0");
        add("keygen", keygen[1] + keygen[2]);
        List<byte[]> secrets = new ArrayList<>();
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        EventLog log = new EventLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), EventLog.Format.KV);
        Path[] tls = TestTls.selfSigned(dir, "127.0.0.1");
        Path tokenFile = dir.resolve("token");
        String token = TestTls.tokenFile(tokenFile);
        Path sock = dir.resolve("s").resolve("agent.sock");
        try (SecretBytes master = MasterKeyFile.load(keyFile)) {
            secrets.add(master.copy());
            SaKeyDerivation kd = new SaKeyDerivation(master, 256);
            add("toString", master + " " + kd + " " + kd.fingerprint());
            ServeOptions o = ServeOptions.defaults().withListen("127.0.0.1", 0).withTls(tls[0], tls[1])
                    .withTokenFile(tokenFile).withStatusSocket(sock);
            try (ServeCommand.Agent agent = ServeCommand.Agent.start(o, log)) {
                InetAddress a = InetAddress.getByName("198.18.1.1");
                InetAddress b = InetAddress.getByName("198.18.1.2");
                for (DerivedSa d : SaFixture.bind(agent.registry(), null, kd, List.of(1L, 2L), a, b,
                        RekeyHealth.State.RUNNING, 3000)) {
                    secrets.add(d.key().copy());
                    add("toString", d.toString() + " " + d.key());
                }
                String url = agent.url();
                String masterHex = HexFormat.of().formatHex(secrets.get(0));
                String saB64 = Base64.getEncoder().encodeToString(secrets.get(1));
                // pages and answers, with key material presented as wrong tokens
                add("401", curl(curl, tls[0], url + "metrics"));
                add("401 html", curl(curl, tls[0], url, "-H", "Accept: text/html"));
                add("login page", curl(curl, tls[0], url + "login"));
                add("wrong bearer", curl(curl, tls[0], url + "metrics", "-H", "Authorization: Bearer " + masterHex));
                add("wrong bearer", curl(curl, tls[0], url + "metrics", "-H", "Authorization: Bearer "
                        + masterHex.toUpperCase()));
                add("wrong login", curl(curl, tls[0], url + "login", "--data-urlencode", "token=" + saB64));
                Path header = dir.resolve("h");
                Files.writeString(header, "Authorization: Bearer " + token + "\n");
                String metrics = curl(curl, tls[0], url + "metrics", "-H", "@" + header);
                assertThat(metrics).startsWith("HTTP/1.1 200").contains("mpsec_sa_bytes_total{", "mpsec_rekey_state{");
                add("metrics (bearer)", metrics);
                String login = curl(curl, tls[0], url + "login", "--data-urlencode", "token@" + tokenFile);
                add("login", login);
                String id = login.replaceAll("(?s).*__Host-mpsec_session=([A-Za-z0-9_-]{43}).*", "$1");
                assertThat(id).hasSize(43);
                add("metrics (cookie)", curl(curl, tls[0], url + "metrics", "-H", "Cookie: __Host-mpsec_session=" + id));
                String[] status = ServeCommandTest.run("status", "--socket", sock.toString());
                assertThat(status[1]).contains("SAs: 4");
                add("status", status[1] + status[2]);
                String[] json = ServeCommandTest.run("status", "--socket", sock.toString(), "--json");
                assertThat(json[1]).contains("\"spi\"");
                add("status json", json[1] + json[2]);
            }
            // errors a misconfiguration produces
            Path loose = dir.resolve("loose.key");
            Files.copy(keyFile, loose);
            Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
            add("key file 0644", error(() -> MasterKeyFile.load(loose)));
            add("key as TLS key", error(() -> TlsFiles.serverContext(tls[0], keyFile)));
            String asToken = error(() -> AccessToken.read(keyFile));
            assertThat(asToken).as("the master key is refused as a token").contains("TokenFileException");
            add("key as token", asToken);
            add("serve with key as token", String.join("\n", ServeCommandTest.run("serve", "--bind", "127.0.0.1",
                    "--port", "0", "--token-file", keyFile.toString(), "--tls-cert", tls[0].toString(), "--tls-key",
                    keyFile.toString(), "--no-host-ns", "--status-socket", "none")));
            try (KeyGenerations g = KeyGenerations.open(keyFile)) {
                g.advance();
                add("generations", g.toString());
                add("ledger locked", error(() -> KeyGenerations.open(keyFile)));
            }
        }
        String logText = logBytes.toString(StandardCharsets.UTF_8);
        assertThat(logText).contains("event=serve.start", "event=http.auth.failure", "event=http.login",
                "event=status.request", "event=serve.stop");
        add("log", logText);
        String all = corpus.toString();
        Files.writeString(Path.of("target", "key-leak-corpus.txt"), all); // test artifact, known to hold no key
        assertThat(all.length()).isGreaterThan(10_000);
        assertThat(secrets).hasSize(5);
        for (byte[] k : secrets) {
            for (String enc : ServeIT.encodings(k)) {
                assertThat(all.contains(enc)).as("a key encoding appears in the outputs (see target/key-leak-corpus.txt)")
                        .isFalse();
            }
        }
        // the search itself finds a key planted at any alignment (so the check above can fail)
        for (int prefix = 0; prefix < 3; prefix++) {
            byte[] k = secrets.get(1);
            byte[] planted = new byte[prefix + k.length + 2];
            System.arraycopy(k, 0, planted, prefix, k.length);
            String b64 = Base64.getEncoder().encodeToString(planted);
            assertThat(ServeIT.encodings(secrets.get(1))).anyMatch(b64::contains);
        }
        for (byte[] k : secrets) {
            Arrays.fill(k, (byte) 0);
        }
    }

    private void add(String what, String text) {
        corpus.append("==== ").append(what).append('\n').append(text).append('\n');
    }

    private static String error(Callable<?> c) {
        try {
            Object r = c.call();
            return "no error: " + r;
        } catch (Exception e) {
            StringBuilder b = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                b.append(t).append('\n');
            }
            return b.toString();
        }
    }

    private static String curl(Path curl, Path ca, String url, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(curl.toString(), "-sS", "-i", "--max-time", "10", "--cacert",
                ca.toString()));
        cmd.addAll(List.of(more));
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("curl " + url + ": " + out).isZero();
        return out;
    }
}
