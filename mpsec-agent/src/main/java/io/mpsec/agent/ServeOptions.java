package io.mpsec.agent;

import io.mpsec.agent.log.EventLog;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@code serve} is told, in one place: the CLI options map onto it one to one, and so does
 * the {@code agent} section of the configuration file.
 *
 * <pre>
 * agent:                  ServeOptions
 *   listen: 127.0.0.1     bind
 *   port: 9464            port
 *   tls:
 *     certificate: FILE   tlsCertificate
 *     privateKey: FILE    tlsPrivateKey
 *   tokenFile: FILE       tokenFile
 *   statusSocket: PATH    statusSocket   (null: no status socket)
 *   namespaces: [a, b]    namespaces
 * </pre>
 *
 * @param bind the IP address the HTTP server listens on (an IP literal; loopback unless TLS and a token are given)
 * @param port the TCP port, 0 for any free one
 * @param tlsCertificate PEM certificate chain, {@code null} for plain HTTP (loopback only)
 * @param tlsPrivateKey PEM PKCS#8 private key of the certificate, {@code null} with no certificate
 * @param tokenFile file holding the access token (mode 0600), {@code null}: no token (loopback only)
 * @param statusSocket the Unix socket {@code mpsec status} talks to, {@code null} for none
 * @param namespaces named network namespaces to watch besides the agent's own
 * @param watchHostNamespace whether to watch the agent's own namespace
 * @param logFormat the structured log's format
 */
public record ServeOptions(String bind, int port, Path tlsCertificate, Path tlsPrivateKey, Path tokenFile,
        Path statusSocket, List<String> namespaces, boolean watchHostNamespace, EventLog.Format logFormat) {
    /** The default address. */
    public static final String DEFAULT_BIND = "127.0.0.1";
    /** The default port (Prometheus exporters' range). */
    public static final int DEFAULT_PORT = 9464;
    /** The default status socket; its directory is created with mode 0700. */
    public static final Path DEFAULT_STATUS_SOCKET = Path.of("/run/mpsec/agent.sock");

    /** Checks the components. */
    public ServeOptions {
        Objects.requireNonNull(bind, "bind");
        namespaces = List.copyOf(namespaces);
        Objects.requireNonNull(logFormat, "logFormat");
        if ((tlsCertificate == null) != (tlsPrivateKey == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and its private key (--tls-cert FILE "
                    + "--tls-key FILE); only the " + (tlsCertificate == null ? "key" : "certificate") + " was given");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range; use 1-65535, or 0 for any free port");
        }
    }

    /** The defaults: 127.0.0.1:9464, no TLS, no token, the default status socket, the agent's own namespace. */
    public static ServeOptions defaults() {
        return new ServeOptions(DEFAULT_BIND, DEFAULT_PORT, null, null, null, DEFAULT_STATUS_SOCKET, List.of(), true,
                EventLog.Format.KV);
    }

    /** A copy listening on {@code bind}:{@code port}. */
    public ServeOptions withListen(String bind, int port) {
        return new ServeOptions(bind, port, tlsCertificate, tlsPrivateKey, tokenFile, statusSocket, namespaces,
                watchHostNamespace, logFormat);
    }

    /** A copy with TLS from these files ({@code null}, {@code null}: none). */
    public ServeOptions withTls(Path certificate, Path privateKey) {
        return new ServeOptions(bind, port, certificate, privateKey, tokenFile, statusSocket, namespaces,
                watchHostNamespace, logFormat);
    }

    /** A copy with this token file ({@code null}: none). */
    public ServeOptions withTokenFile(Path file) {
        return new ServeOptions(bind, port, tlsCertificate, tlsPrivateKey, file, statusSocket, namespaces,
                watchHostNamespace, logFormat);
    }

    /** A copy with this status socket ({@code null}: none). */
    public ServeOptions withStatusSocket(Path socket) {
        return new ServeOptions(bind, port, tlsCertificate, tlsPrivateKey, tokenFile, socket, namespaces,
                watchHostNamespace, logFormat);
    }

    /** A copy watching these namespaces (and the agent's own when {@code host}). */
    public ServeOptions withNamespaces(boolean host, List<String> names) {
        return new ServeOptions(bind, port, tlsCertificate, tlsPrivateKey, tokenFile, statusSocket, names, host,
                logFormat);
    }

    /** A copy logging in {@code format}. */
    public ServeOptions withLogFormat(EventLog.Format format) {
        return new ServeOptions(bind, port, tlsCertificate, tlsPrivateKey, tokenFile, statusSocket, namespaces,
                watchHostNamespace, format);
    }
}
