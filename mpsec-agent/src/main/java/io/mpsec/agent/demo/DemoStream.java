package io.mpsec.agent.demo;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The continuous stream of the demo: PC2 streams to PC1 over one {@link MpsecSocket}, like a video
 * server to its viewer. PC1 checks every byte against the {@link Pattern} as it arrives and both sides
 * hash what they sent and received, so "nothing lost" is a verdict, not a hope.
 */
final class DemoStream implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;
    private final Pattern pattern = new Pattern(ThreadLocalRandom.current().nextLong());
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong maxGapNanos = new AtomicLong();
    private final AtomicLong mismatchAt = new AtomicLong(-1);
    private final MpsecServerSocket listener;
    private final MpsecSocket viewer;
    private final MpsecSocket streamer;
    private final Thread sender;
    private final Thread receiver;
    private volatile boolean stopping;
    private volatile byte[] sentDigest;
    private volatile byte[] receivedDigest;
    private volatile Throwable failure;

    private DemoStream(MpsecServerSocket listener, MpsecSocket viewer, MpsecSocket streamer) {
        this.listener = listener;
        this.viewer = viewer;
        this.streamer = streamer;
        this.sender = new Thread(this::send, "mpsec-demo-pc2-stream");
        this.receiver = new Thread(this::receive, "mpsec-demo-pc1-view");
    }

    /** Connects PC1 to PC2's {@code server} address and starts streaming. */
    static DemoStream start(NetNamespace pc1, NetNamespace pc2, InetAddress server) throws Exception {
        MpsecServerSocket listener = pc2.call(() -> new MpsecServerSocket(0, 1, server));
        try {
            MpsecSocket viewer = pc1.call(() -> new MpsecSocket(server, listener.getLocalPort()));
            listener.setSoTimeout(10_000);
            MpsecSocket streamer = listener.accept();
            DemoStream s = new DemoStream(listener, viewer, streamer);
            s.receiver.start();
            s.sender.start();
            return s;
        } catch (Exception e) {
            listener.close();
            throw e;
        }
    }

    private void send() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            OutputStream out = streamer.getOutputStream();
            byte[] buf = new byte[CHUNK];
            long pos = 0;
            while (!stopping) {
                pattern.fill(buf, 0, buf.length, pos);
                out.write(buf);
                md.update(buf);
                pos += buf.length;
                sent.set(pos);
            }
            streamer.shutdownOutput();
            sentDigest = md.digest();
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            fail(e);
        }
    }

    private void receive() {
        try (InputStream in = viewer.getInputStream()) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[CHUNK];
            long pos = 0;
            long last = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                long now = System.nanoTime();
                if (last != 0 && now - last > maxGapNanos.get()) {
                    maxGapNanos.set(now - last);
                }
                last = now;
                int bad = pattern.firstMismatch(buf, 0, n, pos);
                if (bad >= 0 && mismatchAt.get() < 0) {
                    mismatchAt.set(pos + bad);
                }
                md.update(buf, 0, n);
                pos += n;
                received.set(pos);
            }
            receivedDigest = md.digest();
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            fail(e);
        }
    }

    private void fail(Throwable e) {
        if (failure == null && !(stopping && e instanceof java.net.SocketException)) {
            failure = e;
        }
    }

    /** Bytes PC2 has written so far. */
    long sent() {
        return sent.get();
    }

    /** Bytes PC1 has received (and checked) so far. */
    long received() {
        return received.get();
    }

    /** The stream position of the first byte that was not what PC2 sent, or -1. */
    long mismatchAt() {
        return mismatchAt.get();
    }

    /** The longest time PC1 waited between two reads, in milliseconds. */
    long maxGapMillis() {
        return TimeUnit.NANOSECONDS.toMillis(maxGapNanos.get());
    }

    /** The error that broke the stream, or null while it is healthy. */
    Throwable failure() {
        return failure;
    }

    /**
     * Stops PC2's sending, waits until PC1 has read everything, and returns the verdict.
     *
     * @param timeoutMillis how long PC1 may take to drain the stream
     */
    Verdict finish(long timeoutMillis) throws InterruptedException {
        stopping = true;
        sender.join(timeoutMillis);
        receiver.join(timeoutMillis);
        boolean complete = !receiver.isAlive() && sentDigest != null && receivedDigest != null;
        boolean equal = complete && Arrays.equals(sentDigest, receivedDigest) && sent.get() == received.get();
        return new Verdict(sent.get(), received.get(), equal && mismatchAt.get() < 0, mismatchAt.get(), maxGapMillis(), failure);
    }

    /** The end of a stream: what PC2 sent, what PC1 got, and whether both are the same bytes. */
    record Verdict(long sent, long received, boolean intact, long mismatchAt, long maxGapMillis, Throwable failure) {
    }

    @Override
    public void close() {
        stopping = true;
        for (AutoCloseable c : new AutoCloseable[] {viewer, streamer, listener}) {
            try {
                c.close();
            } catch (Exception e) {
                // closing the demo's own sockets
            }
        }
    }
}
