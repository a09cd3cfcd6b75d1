package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import io.mpsec.agent.log.EventLog;
import java.net.InetAddress;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeCommandTest {
    @Test
    void hostCheckAcceptsOnlyLoopbackNamesWithThePort() {
        HostCheck h = new HostCheck(9464);
        assertThat(h.allows("127.0.0.1:9464")).isTrue();
        assertThat(h.allows("localhost:9464")).isTrue();
        assertThat(h.allows("LOCALHOST:9464")).isTrue();
        assertThat(h.allows("[::1]:9464")).isTrue();
        assertThat(h.allows("localhost")).isFalse();
        assertThat(h.allows("127.0.0.1:9465")).isFalse();
        assertThat(h.allows("evil.example:9464")).isFalse();
        assertThat(h.allows("localhost.evil.example:9464")).isFalse();
        assertThat(h.allows("127.0.0.2:9464")).isFalse();
        assertThat(h.allows(null)).isFalse();
        assertThat(new HostCheck(80).allows("localhost")).isTrue();
    }

    @Test
    void aNonLoopbackBindIsRefusedWithoutTlsAndAToken() throws Exception {
        InetAddress any = InetAddress.getByName("0.0.0.0");
        assertThatThrownBy(() -> MetricsServer.checkBind(any, false, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requires TLS and a token")
                .hasMessageContaining("--tls-cert").hasMessageContaining("--token-file");
        assertThatThrownBy(() -> MetricsServer.checkBind(any, true, false)).hasMessageContaining("without a token");
        assertThatThrownBy(() -> MetricsServer.checkBind(any, false, true)).hasMessageContaining("without TLS");
        MetricsServer.checkBind(any, true, true);
        MetricsServer.checkBind(InetAddress.getByName("::1"), false, false);
        assertThatThrownBy(() -> ServeCommand.Agent.start("198.18.0.1", 0, true, List.of()))
                .hasMessageContaining("refusing to serve on 198.18.0.1 without TLS");
        assertThatThrownBy(() -> ServeCommand.Agent.start("localhost.evil.example", 0, true, List.of()))
                .hasMessageContaining("is not an IP address");
        // refused before any file is read: a missing token file is not even looked at
        assertThatThrownBy(() -> ServeCommand.Agent.start(ServeOptions.defaults().withListen("198.18.0.1", 0)
                .withTokenFile(Path.of("/nonexistent/token")).withStatusSocket(null), EventLog.stderr()))
                .hasMessageContaining("without TLS");
        String[] out = run("serve", "--bind", "::", "--no-host-ns", "--status-socket", "none");
        assertThat(out[0]).isEqualTo("2");
        assertThat(out[2]).contains("serve: refusing to serve on", "requires TLS and a token", "event=serve.refused");
    }

    @Test
    void theCliOptionsMapOntoOneRecord() {
        ServeCommand c = new ServeCommand();
        new CommandLine(c).parseArgs("--bind", "198.18.0.1", "--port", "9999", "--tls-cert", "/c.pem", "--tls-key",
                "/k.pem", "--token-file", "/t", "--status-socket", "/s.sock", "--netns", "a", "--netns", "b", "--no-host-ns",
                "--log-format", "json");
        assertThat(c.options()).isEqualTo(new ServeOptions("198.18.0.1", 9999, Path.of("/c.pem"), Path.of("/k.pem"),
                Path.of("/t"), Path.of("/s.sock"), List.of("a", "b"), false, EventLog.Format.JSON));
        ServeCommand d = new ServeCommand();
        new CommandLine(d).parseArgs();
        assertThat(d.options()).isEqualTo(ServeOptions.defaults());
        ServeCommand none = new ServeCommand();
        new CommandLine(none).parseArgs("--status-socket", "none");
        assertThat(none.options().statusSocket()).isNull();
        assertThatThrownBy(() -> ServeOptions.defaults().withTls(Path.of("/c.pem"), null))
                .hasMessageContaining("both a certificate and its private key");
        String[] out = run("serve", "--tls-cert", "/c.pem", "--no-host-ns");
        assertThat(out[0]).isEqualTo("2");
        assertThat(out[2]).contains("only the certificate was given");
        assertThat(run("serve", "--log-format", "xml")[2]).contains("log format 'xml' is unknown; use kv or json");
    }

    /** Runs the CLI; returns exit code, stdout, stderr. */
    static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            code = new CommandLine(new Main()).execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }
}
