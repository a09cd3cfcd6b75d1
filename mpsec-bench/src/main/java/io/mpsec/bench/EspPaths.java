package io.mpsec.bench;

import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.paths.PathSa;
import io.mpsec.ipsec.paths.SecurePaths;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ESP on every path of a {@link PathNet}, installed the way MPSec installs it: one
 * {@link SecurePaths} per host (same random master key, each with its own generation ledger in a
 * private temporary directory), fail-closed, AES-256-GCM transport SAs for every address pair,
 * inbound SAs of the next generations installed ahead. Peer-generation learning (packet capture)
 * and the join gate (nft) are off: the benchmark compares encryption cost, not those. {@link #close()}
 * tears both down ({@link SecurePaths#teardown()}), leaving the namespaces in cleartext again.
 */
final class EspPaths implements AutoCloseable {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Path dir;
    final SecurePaths client;
    final SecurePaths server;
    final XfrmClient clientXfrm;
    final XfrmClient serverXfrm;

    private EspPaths(PathNet net) throws IOException {
        dir = Files.createTempDirectory("mpsec-bench-esp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        SecretBytes master = SecretBytes.wrap(k);
        List<InetAddress> c = new ArrayList<>();
        List<InetAddress> s = new ArrayList<>();
        for (int p = 1; p <= net.paths(); p++) {
            c.add(PathNet.clientAddress(p));
            s.add(PathNet.serverAddress(p));
        }
        clientXfrm = xfrm(net.client());
        serverXfrm = xfrm(net.server());
        client = build(clientXfrm, c, s, master, dir.resolve("c.key"));
        server = build(serverXfrm, s, c, master, dir.resolve("s.key"));
    }

    /** Installs ESP on every path of {@code net} (both hosts); undone by {@link #close()}. */
    static EspPaths apply(PathNet net) throws IOException {
        EspPaths e = new EspPaths(net);
        try {
            e.client.apply();
            e.server.apply();
        } catch (IOException | RuntimeException ex) {
            e.close();
            throw ex;
        }
        return e;
    }

    private XfrmClient xfrm(String ns) throws IOException {
        NetNamespace n = NetNamespace.open(ns);
        open.add(0, n);
        XfrmClient x = XfrmClient.open(n);
        open.add(0, x);
        return x;
    }

    private SecurePaths build(XfrmClient x, List<InetAddress> local, List<InetAddress> remote, SecretBytes master, Path key)
            throws IOException {
        KeyGenerations g = KeyGenerations.open(key);
        SecurePaths p = SecurePaths.builder().xfrm(x).local(local).remote(remote).masterKey(master).generations(g)
                .learnPeerGeneration(false).joinGate(false).killSwitchOnExit(false).build();
        open.add(0, () -> {
            if (!p.isClosed()) {
                p.teardown();
            }
        });
        return p;
    }

    /** Bytes through the client's outbound SAs of every generation (kernel counters). */
    long clientOutboundBytes() throws IOException {
        long sum = 0;
        for (Map.Entry<Long, List<PathSa>> e : client.installedSas().entrySet()) {
            for (PathSa s : e.getValue()) {
                if (s.outbound()) {
                    sum += clientXfrm.counters(s.id()).bytes();
                }
            }
        }
        return sum;
    }

    /** SAs in the client's namespace as MPSec's binding dumps them. */
    int clientSaCount() throws IOException {
        return clientXfrm.dumpSas().size();
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof IOException io ? io : new IOException(e);
                }
            }
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
        if (first != null) {
            throw first;
        }
    }
}
