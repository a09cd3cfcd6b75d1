package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.agent.config.ConfigLoader;
import io.mpsec.agent.config.MpsecConfig;
import io.mpsec.agent.log.EventLog;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code serve --config}: the agent section maps onto the same options as the command line. */
class ConfiguredServeTest {
    @Test
    void theAgentSectionBecomesTheServeOptions() throws Exception {
        MpsecConfig c = ConfigLoader.parse("""
                agent:
                  listen: 198.18.1.1
                  port: 9999
                  tls: {certificate: /etc/mpsec/cert.pem, privateKey: /etc/mpsec/key.pem}
                  tokenFile: /etc/mpsec/token
                  statusSocket: /run/mpsec/a.sock
                  namespaces: [host, pc1]
                  logFormat: json
                """, "t.yaml", false);
        ServeOptions o = ConfiguredServe.options(c);
        assertThat(o.bind()).isEqualTo("198.18.1.1");
        assertThat(o.port()).isEqualTo(9999);
        assertThat(o.tlsCertificate()).isEqualTo(Path.of("/etc/mpsec/cert.pem"));
        assertThat(o.tlsPrivateKey()).isEqualTo(Path.of("/etc/mpsec/key.pem"));
        assertThat(o.tokenFile()).isEqualTo(Path.of("/etc/mpsec/token"));
        assertThat(o.statusSocket()).isEqualTo(Path.of("/run/mpsec/a.sock"));
        assertThat(o.watchHostNamespace()).isTrue();
        assertThat(o.namespaces()).isEqualTo(List.of("pc1"));
        assertThat(o.logFormat()).isEqualTo(EventLog.Format.JSON);
    }

    @Test
    void withoutAnAgentSectionTheDefaultsApply() throws Exception {
        ServeOptions o = ConfiguredServe.options(ConfigLoader.parse("mptcp: {enabled: true}\n", "t.yaml", false));
        assertThat(o.bind()).isEqualTo("127.0.0.1");
        assertThat(o.port()).isEqualTo(9464);
        assertThat(o.tokenFile()).isNull();
        assertThat(o.watchHostNamespace()).isTrue();
        assertThat(o.namespaces()).isEmpty();
    }
}
