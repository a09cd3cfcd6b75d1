package io.mpsec.agent.http;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * The server's TLS context from PEM files: a certificate chain and its private key (PKCS#8,
 * {@code -----BEGIN PRIVATE KEY-----}, as {@code openssl req -x509 -newkey ... -nodes} writes it), on
 * the JDK's TLS provider, TLS 1.3 and 1.2 only. The key file must not be readable by others.
 */
public final class TlsFiles {
    private TlsFiles() {
    }

    /**
     * Loads the certificate chain and key.
     *
     * @throws IOException when a file is missing or unreadable, the key is readable by others, or the
     *         PEM content is not a certificate and a matching PKCS#8 private key; the message names the file
     */
    public static SslContext serverContext(Path certificate, Path privateKey) throws IOException {
        for (Path p : new Path[] {certificate, privateKey}) {
            if (!Files.isRegularFile(p)) {
                throw new IOException((p == certificate ? "TLS certificate " : "TLS private key ") + p
                        + " does not exist or is not a regular file; give a PEM file (for a test certificate: openssl req "
                        + "-x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj /CN=HOST "
                        + "-keyout key.pem -out cert.pem)");
            }
            if (!Files.isReadable(p)) {
                throw new IOException("cannot read " + p + ": permission denied; run the agent as a user that can read it");
            }
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(privateKey, LinkOption.NOFOLLOW_LINKS);
        if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("TLS private key " + privateKey + " is readable or writable by others; run 'chmod 600 "
                    + privateKey + "' (and consider the key compromised)");
        }
        try {
            return SslContextBuilder.forServer(certificate.toFile(), privateKey.toFile()).sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2").build();
        } catch (SSLException | IllegalArgumentException e) {
            // Netty's messages name the file but never print key material
            throw new IOException("cannot use the TLS certificate " + certificate + " with the private key " + privateKey
                    + ": " + e.getMessage() + " (expected a PEM certificate and a matching unencrypted PKCS#8 key, "
                    + "'-----BEGIN PRIVATE KEY-----'; convert with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW)", e);
        }
    }
}
