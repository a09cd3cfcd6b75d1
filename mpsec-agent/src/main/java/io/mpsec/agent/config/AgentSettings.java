package io.mpsec.agent.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code agent} section: read and validated here, used by the agent's listener, dashboard and
 * status socket.
 *
 * @param listen              the address the HTTP listener binds (default 127.0.0.1)
 * @param port                its port (default 9464)
 * @param tls                 certificate and private key, or {@code null} for plain HTTP
 * @param tokenFile           the file holding the bearer token, or {@code null}
 * @param statusSocket        the local status socket (default /run/mpsec/agent.sock)
 * @param namespaces          network namespaces to manage; {@code host} is the agent's own (default [host])
 * @param perConnectionSeries per-connection metric series
 * @param logFormat           keyvalue (default) or json
 */
public record AgentSettings(InetAddress listen, int port, Tls tls, Path tokenFile, Path statusSocket,
        List<String> namespaces, PerConnectionSeries perConnectionSeries, String logFormat) {
    /** The namespace name that stands for the agent's own. */
    public static final String HOST = "host";
    /** Log formats. */
    public static final List<String> LOG_FORMATS = List.of("keyvalue", "json");

    public AgentSettings {
        namespaces = List.copyOf(namespaces);
    }

    /**
     * TLS for the listener.
     *
     * @param certificate PEM certificate chain
     * @param privateKey  PEM private key
     */
    public record Tls(Path certificate, Path privateKey) {
    }

    /**
     * Per-connection metric series.
     *
     * @param enabled default false
     * @param max     at most this many connections get series (default 100)
     */
    public record PerConnectionSeries(boolean enabled, int max) {
    }
}
