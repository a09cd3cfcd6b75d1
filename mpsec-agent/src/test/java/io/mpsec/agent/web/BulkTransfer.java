package io.mpsec.agent.web;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.testbed.Testbed;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** An endless MPTCP transfer from one testbed host to another, until {@link #close()}; counts what arrives. */
final class BulkTransfer implements AutoCloseable {
    private final MpsecServerSocket listener;
    private final MpsecSocket client;
    private final AtomicLong received = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread sender;
    private final Thread receiver;
    private volatile boolean stop;

    BulkTransfer(Testbed.Host from, Testbed.Host to, InetAddress toAddress) throws IOException {
        listener = to.call(() -> new MpsecServerSocket(0, 5, toAddress));
        receiver = new Thread(this::receive, "bulk-receiver");
        receiver.setDaemon(true);
        receiver.start();
        client = from.call(() -> new MpsecSocket(toAddress, listener.getLocalPort()));
        sender = new Thread(this::send, "bulk-sender");
        sender.setDaemon(true);
        sender.start();
    }

    boolean multipath() throws IOException {
        return client.isMultipath();
    }

    private void send() {
        byte[] chunk = new byte[128 * 1024];
        try (OutputStream out = client.getOutputStream()) {
            while (!stop) {
                out.write(chunk);
            }
        } catch (IOException e) {
            if (!stop) {
                failure.set(e);
            }
        }
    }

    private void receive() {
        try (MpsecSocket peer = listener.accept(); InputStream in = peer.getInputStream()) {
            byte[] buf = new byte[256 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                received.addAndGet(n);
            }
        } catch (IOException e) {
            if (!stop) {
                failure.set(e);
            }
        }
    }

    /** Bytes the receiver got so far. */
    long received() {
        return received.get();
    }

    /** The sender's or receiver's error, {@code null} if none. */
    Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() throws Exception {
        stop = true;
        client.close();
        listener.close();
        sender.join(5_000);
        receiver.join(5_000);
    }
}
