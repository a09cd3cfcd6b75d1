package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
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
    void aNonLoopbackBindIsRefusedBeforeAnythingStarts() throws Exception {
        assertThatThrownBy(() -> MetricsServer.checkBind(InetAddress.getByName("0.0.0.0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TLS and a token");
        assertThatThrownBy(() -> ServeCommand.Agent.start("198.18.0.1", 0, true, List.of()))
                .hasMessageContaining("refusing to serve on 198.18.0.1").hasMessageContaining("not implemented yet");
        assertThatThrownBy(() -> ServeCommand.Agent.start("localhost.evil.example", 0, true, List.of()))
                .hasMessageContaining("is not an IP address");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        int code;
        try (PrintStream p = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setErr(p);
            code = new CommandLine(new Main()).execute("serve", "--bind", "::", "--no-host-ns");
        } finally {
            System.setErr(old);
        }
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("serve: refusing to serve on", "TLS and a token");
    }
}
