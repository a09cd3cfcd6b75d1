package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.testbed.ExecResult;
import io.mpsec.testbed.Testbed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** Helpers for the kernel-lane tests: SecurePaths per host, transfers with retries and timeouts. */
final class Lane implements AutoCloseable {
    private static final Pattern KEY_HEX = Pattern.compile("0x[0-9a-fA-F]{32,}");
    private final List<AutoCloseable> open = new ArrayList<>();

    /** A SecurePaths for {@code h} towards {@code peer} over every path, with its own XfrmClient. */
    SecurePaths paths(Testbed net, Testbed.Host h, Testbed.Host peer, SecretBytes master, KeyGenerations gens,
            boolean failClosed, Lifetime lifetime) throws IOException {
        List<InetAddress> local = new ArrayList<>();
        List<InetAddress> remote = new ArrayList<>();
        for (Testbed.Path p : net.paths()) {
            local.add(h.address(p.number()));
            remote.add(peer.address(p.number()));
        }
        SecurePaths sp = SecurePaths.builder().xfrm(client(h)).local(local).remote(remote).masterKey(master).generations(gens)
                .failClosed(failClosed).lifetime(lifetime).build();
        open.add(0, sp);
        return sp;
    }

    /** A builder for {@code h}'s SecurePaths towards {@code peer} over every path (the caller builds and applies). */
    SecurePaths.Builder builder(Testbed net, Testbed.Host h, Testbed.Host peer, SecretBytes master, KeyGenerations gens)
            throws IOException {
        List<InetAddress> local = new ArrayList<>();
        List<InetAddress> remote = new ArrayList<>();
        for (Testbed.Path p : net.paths()) {
            local.add(h.address(p.number()));
            remote.add(peer.address(p.number()));
        }
        return SecurePaths.builder().xfrm(client(h)).local(local).remote(remote).masterKey(master).generations(gens);
    }

    /** Registers {@code p} to be closed (kill switch) when the test ends. */
    SecurePaths track(SecurePaths p) {
        open.add(0, p);
        return p;
    }

    /** The counters of {@code /proc/net/xfrm_stat} in {@code h}'s namespace (XfrmOutPolBlock, XfrmInNoStates, ...). */
    static java.util.Map<String, Long> xfrmStat(Testbed.Host h) {
        java.util.Map<String, Long> m = new java.util.TreeMap<>();
        for (String line : h.execOk("cat", "/proc/net/xfrm_stat").stdout().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2) {
                m.put(f[0], Long.parseLong(f[1]));
            }
        }
        return m;
    }

    /** How much each counter grew from {@code before} to {@code after}. */
    static long delta(java.util.Map<String, Long> before, java.util.Map<String, Long> after, String key) {
        return after.getOrDefault(key, 0L) - before.getOrDefault(key, 0L);
    }

    XfrmClient client(Testbed.Host h) throws IOException {
        NetNamespace ns = NetNamespace.open(h.namespace());
        open.add(ns);
        XfrmClient c = XfrmClient.open(ns);
        open.add(0, c);
        return c;
    }

    NetNamespace ns(Testbed.Host h) throws IOException {
        NetNamespace ns = NetNamespace.open(h.namespace());
        open.add(ns);
        return ns;
    }

    /** {@code ip -s xfrm state list nokeys} in {@code h}, with anything key-like redacted. */
    static String state(Testbed.Host h) {
        ExecResult r = h.exec("ip", "-s", "xfrm", "state", "list", "nokeys");
        return KEY_HEX.matcher(r.stdout() + r.stderr()).replaceAll("<redacted>");
    }

    /** Sends {@code data} over plain TCP from {@code c} to {@code s}; returns the SHA-256 the server computed. */
    static String tcpTransfer(Testbed.Host c, Testbed.Host s, InetAddress dst, int port, byte[] data) throws Exception {
        ServerSocket server = s.call(() -> {
            ServerSocket ss = new ServerSocket();
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(dst, port), 5);
            ss.setSoTimeout(120_000);
            return ss;
        });
        CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
            try (server; Socket a = server.accept(); InputStream in = a.getInputStream()) {
                a.setSoTimeout(60_000);
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[65536];
                long n = 0;
                for (int r; (r = in.read(buf)) > 0;) {
                    md.update(buf, 0, r);
                    n += r;
                }
                return n + " " + HexFormat.of().formatHex(md.digest());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (Socket sock = connectWithRetry(c, dst, port, 60_000); OutputStream out = sock.getOutputStream()) {
            out.write(data);
        }
        return received.get(180, TimeUnit.SECONDS);
    }

    static Socket connectWithRetry(Testbed.Host c, InetAddress dst, int port, long timeoutMillis) throws Exception {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            try {
                return c.call(() -> {
                    Socket so = new Socket();
                    try {
                        so.connect(new InetSocketAddress(dst, port), 10_000);
                        so.setSoTimeout(60_000);
                        return so;
                    } catch (IOException e) {
                        so.close();
                        throw e;
                    }
                });
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(300);
            }
        }
    }

    static String sha256(byte[] data) throws Exception {
        return data.length + " " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** The Python MPTCP peer script, written to a temporary file. */
    static Path peerScript(Path dir) throws IOException {
        Path p = dir.resolve("mptcp_peer.py");
        try (InputStream in = Lane.class.getResourceAsStream("/lane/mptcp_peer.py")) {
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    /** A started process whose stdout lines are collected on a daemon thread. */
    static final class Peer {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final StringBuilder err = new StringBuilder();

        Peer(Process p) {
            this.process = p;
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null;) {
                        lines.add(l);
                    }
                } catch (IOException ignored) {
                    // process gone
                }
            }, "lane-peer-out");
            t.setDaemon(true);
            t.start();
            Thread e = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null;) {
                        synchronized (err) {
                            err.append(l).append('\n');
                        }
                    }
                } catch (IOException ignored) {
                    // process gone
                }
            }, "lane-peer-err");
            e.setDaemon(true);
            e.start();
        }

        /** Writes {@code line} and a newline to the process's standard input. */
        void say(String line) throws IOException {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        /** The next line starting with {@code prefix}, waiting at most {@code seconds}. */
        String await(String prefix, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                String l = lines.poll(200, TimeUnit.MILLISECONDS);
                if (l != null && l.startsWith(prefix)) {
                    return l;
                }
            }
            synchronized (err) {
                throw new AssertionError("no '" + prefix + "' line within " + seconds + " s; alive=" + process.isAlive()
                        + " stderr: " + err);
            }
        }
    }

    @Override
    public void close() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // namespaces are deleted by the testbed anyway
            }
        }
        open.clear();
    }
}
