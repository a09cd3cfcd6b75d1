package io.mpsec.kernel.bpf;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.MpsecSocketOptions;
import io.mpsec.testbed.Testbed;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An MPTCP bulk transfer from client to server whose sender sets TCP_CONGESTION before connecting;
 * the receiver counts bytes as they arrive, so a test can sample progress while it runs.
 */
final class BulkTransfer implements AutoCloseable {
    private final MpsecServerSocket listener;
    private final MpsecSocket socket;
    private final AtomicLong received = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CompletableFuture<Void> receiver;
    private final CompletableFuture<Void> sender;

    BulkTransfer(Testbed.Host c, Testbed.Host s, InetAddress server, String congestion) throws Exception {
        listener = s.call(() -> new MpsecServerSocket(0, 50, server));
        receiver = CompletableFuture.runAsync(() -> {
            try (MpsecSocket peer = listener.accept(); InputStream in = peer.getInputStream()) {
                byte[] buf = new byte[256 * 1024];
                int n;
                while ((n = in.read(buf)) > 0) {
                    received.addAndGet(n);
                }
            } catch (IOException e) {
                if (!stop.get()) {
                    throw new IllegalStateException(e);
                }
            }
        });
        socket = c.call(() -> {
            MpsecSocket m = new MpsecSocket();
            m.setOption(MpsecSocketOptions.TCP_CONGESTION, congestion);
            m.connect(new InetSocketAddress(server, listener.getLocalPort()), 5_000);
            return m;
        });
        sender = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                byte[] chunk = new byte[256 * 1024];
                while (!stop.get()) {
                    out.write(chunk);
                }
                socket.shutdownOutput();
            } catch (IOException e) {
                if (!stop.get()) {
                    throw new IllegalStateException(e);
                }
            }
        });
    }

    MpsecSocket socket() {
        return socket;
    }

    long received() {
        return received.get();
    }

    /** Receiver goodput in Mbit/s over {@code millis} from now. */
    double measureMbit(long millis) throws InterruptedException {
        long b0 = received.get();
        long t0 = System.nanoTime();
        Thread.sleep(millis);
        long b1 = received.get();
        return (b1 - b0) * 8.0 / ((System.nanoTime() - t0) / 1e9) / 1e6;
    }

    /** Stops sending and fails if the sender or receiver failed. */
    void finish() throws Exception {
        stop.set(true);
        sender.get(30, TimeUnit.SECONDS);
        receiver.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        stop.set(true);
        try {
            socket.close();
        } finally {
            listener.close();
        }
    }
}
