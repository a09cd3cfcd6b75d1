package io.mpsec.bench;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code n} open MPTCP connections ({@link MpsecSocket}) from a {@link PathNet}'s client to its
 * server, kept alive by a trickle: every second each client writes {@value #BYTES} bytes and each
 * server side reads them. A write or read error is counted and fails {@link #check()}.
 */
final class Trickle implements AutoCloseable {
    static final int BYTES = 64;

    private final MpsecServerSocket listener;
    private final List<MpsecSocket> clients = new ArrayList<>();
    private final List<MpsecSocket> servers = new ArrayList<>();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mpsec-bench-trickle");
        t.setDaemon(true);
        return t;
    });
    private volatile String firstError;
    private volatile boolean closed;

    private Trickle(MpsecServerSocket listener) {
        this.listener = listener;
    }

    /** Opens {@code n} connections to the server's address on path 1 and starts the trickle. */
    static Trickle open(PathNet net, int n) throws IOException {
        MpsecServerSocket listener;
        try (NetNamespace s = NetNamespace.open(net.server())) {
            listener = s.call(() -> new MpsecServerSocket(0, Math.max(n, 16), null));
        }
        Trickle t = new Trickle(listener);
        try {
            InetAddress server = PathNet.serverAddress(1);
            try (NetNamespace c = NetNamespace.open(net.client())) {
                for (int i = 0; i < n; i++) {
                    t.clients.add(c.call(() -> new MpsecSocket(server, listener.getLocalPort())));
                    MpsecSocket peer = listener.accept();
                    t.servers.add(peer);
                    t.startReader(peer);
                }
            }
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        t.writer.scheduleAtFixedRate(t::writeAll, 0, 1, TimeUnit.SECONDS);
        return t;
    }

    private void startReader(MpsecSocket peer) {
        Thread r = new Thread(() -> {
            byte[] buf = new byte[4096];
            try (InputStream in = peer.getInputStream()) {
                int k;
                while ((k = in.read(buf)) > 0) {
                    read.addAndGet(k);
                }
            } catch (IOException e) {
                fail("read: " + e);
            }
        }, "mpsec-bench-trickle-read");
        r.setDaemon(true);
        r.start();
    }

    private void writeAll() {
        byte[] b = new byte[BYTES];
        for (MpsecSocket c : clients) {
            try {
                OutputStream out = c.getOutputStream();
                out.write(b);
                out.flush();
                written.addAndGet(b.length);
            } catch (IOException e) {
                fail("write: " + e);
            }
        }
    }

    private void fail(String what) {
        if (!closed) {
            errors.incrementAndGet();
            if (firstError == null) {
                firstError = what;
            }
        }
    }

    int size() {
        return clients.size();
    }

    long written() {
        return written.get();
    }

    long read() {
        return read.get();
    }

    /** Fails when a connection broke (a write or read error). */
    void check() {
        if (errors.get() > 0) {
            throw new IllegalStateException(errors.get() + " trickle errors on the " + clients.size() + " connections, first: " + firstError);
        }
    }

    @Override
    public void close() {
        closed = true;
        writer.shutdownNow();
        for (MpsecSocket s : clients) {
            closeQuietly(s);
        }
        for (MpsecSocket s : servers) {
            closeQuietly(s);
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void closeQuietly(MpsecSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
