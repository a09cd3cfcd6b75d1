package io.mpsec.bench;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.MpsecSocketOptions;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * One MPSec transfer across a {@link PathNet}, client to server, running until {@link #finish()}: the
 * client writes 64 KiB slices of a random 1 MiB block, the server reads them. Both sides keep a
 * CRC-32 of the stream, so {@link #finish()} proves every byte arrived intact; a reset or any other
 * I/O error fails it. The receiver records every pause between two reads of at least 5 ms (a
 * <em>gap</em>) and the bytes received per {@value #BUCKET_MILLIS} ms bucket.
 */
public final class Stream implements AutoCloseable {
    static final int BUCKET_MILLIS = 20;
    private static final int CHUNK = 64 * 1024;
    private static final long MIN_GAP_NANOS = 5_000_000L;

    private final MpsecServerSocket listener;
    private final MpsecSocket socket;
    private final long startNanos = System.nanoTime();
    private final AtomicLong received = new AtomicLong();
    private final List<long[]> gaps = new ArrayList<>();
    private final long[] buckets = new long[60 * 60 * 1000 / BUCKET_MILLIS];
    private final CompletableFuture<long[]> receiver;
    private final CompletableFuture<long[]> sender;
    private volatile boolean stop;

    private Stream(MpsecServerSocket listener, MpsecSocket socket) {
        this.listener = listener;
        this.socket = socket;
        this.receiver = CompletableFuture.supplyAsync(this::receive, Stream::daemon);
        this.sender = CompletableFuture.supplyAsync(this::send, Stream::daemon);
    }

    /** Connects a client socket in {@code net}'s client namespace to the server's address on {@code path} and starts sending. */
    public static Stream start(PathNet net, int path) throws IOException {
        InetAddress server = PathNet.serverAddress(path);
        MpsecServerSocket listener;
        try (NetNamespace s = NetNamespace.open(net.server())) {
            listener = s.call(() -> new MpsecServerSocket(0, 4, null)); // every address: joins may go to any of them
        }
        try (NetNamespace c = NetNamespace.open(net.client())) {
            String cc = net.congestionControl();
            MpsecSocket socket = c.call(() -> {
                if (cc == null) {
                    return new MpsecSocket(server, listener.getLocalPort());
                }
                MpsecSocket s = new MpsecSocket();
                try {
                    s.setOption(MpsecSocketOptions.TCP_CONGESTION, cc);
                    s.connect(new java.net.InetSocketAddress(server, listener.getLocalPort()));
                    return s;
                } catch (IOException | RuntimeException e) {
                    s.close();
                    throw e;
                }
            });
            return new Stream(listener, socket);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "mpsec-bench-stream");
        t.setDaemon(true);
        t.start();
    }

    /** The client (sending) socket: connection and subflow information. */
    public MpsecSocket clientSocket() {
        return socket;
    }

    /**
     * Waits up to {@code millis} ms until the client connection has {@code count} subflows; returns
     * how many it has then.
     */
    public int awaitSubflows(int count, long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (socket.subflows().size() < count && System.nanoTime() < deadline) {
            PathNet.sleep(20);
        }
        return socket.subflows().size();
    }

    /** Bytes received so far. */
    public long received() {
        return received.get();
    }

    /** Nanoseconds (System.nanoTime) when the stream started. */
    public long startNanos() {
        return startNanos;
    }

    /** The longest gap that ended after {@code fromNanos} and began before {@code toNanos}, in ms (0: none). */
    public synchronized double longestGapMillis(long fromNanos, long toNanos) {
        long max = 0;
        for (long[] g : gaps) {
            if (g[1] >= fromNanos && g[0] <= toNanos) {
                max = Math.max(max, g[1] - g[0]);
            }
        }
        return max / 1e6;
    }

    /**
     * The longest gap that ended in ({@code fromNanos}, {@code toNanos}], in ms (0: none): unlike
     * {@link #longestGapMillis}, a gap belongs to one window only, the one it ended in.
     */
    public synchronized double longestGapEndingMillis(long fromNanos, long toNanos) {
        long max = 0;
        for (long[] g : gaps) {
            if (g[1] > fromNanos && g[1] <= toNanos) {
                max = Math.max(max, g[1] - g[0]);
            }
        }
        return max / 1e6;
    }

    /** Received bytes per bucket from {@code fromNanos} to {@code toNanos}. */
    public synchronized long[] series(long fromNanos, long toNanos) {
        int a = (int) Math.max(0, (fromNanos - startNanos) / 1_000_000L / BUCKET_MILLIS);
        int b = (int) Math.min(buckets.length, (toNanos - startNanos) / 1_000_000L / BUCKET_MILLIS);
        long[] out = new long[Math.max(0, b - a)];
        System.arraycopy(buckets, a, out, 0, out.length);
        return out;
    }

    private long[] receive() {
        try (MpsecSocket peer = listener.accept(); InputStream in = peer.getInputStream()) {
            byte[] buf = new byte[CHUNK];
            CRC32 crc = new CRC32();
            long last = System.nanoTime();
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                long t = System.nanoTime();
                crc.update(buf, 0, n);
                total += n;
                received.set(total);
                synchronized (this) {
                    if (t - last >= MIN_GAP_NANOS) {
                        gaps.add(new long[] {last, t});
                    }
                    int bucket = (int) ((t - startNanos) / 1_000_000L / BUCKET_MILLIS);
                    if (bucket < buckets.length) {
                        buckets[bucket] += n;
                    }
                }
                last = t;
            }
            return new long[] {total, crc.getValue()};
        } catch (IOException e) {
            throw new IllegalStateException("receiver: " + e, e);
        }
    }

    private long[] send() {
        byte[] block = new byte[1 << 20];
        new SplittableRandom(42).nextBytes(block);
        CRC32 crc = new CRC32();
        long total = 0;
        int offset = 0;
        try {
            OutputStream out = socket.getOutputStream();
            while (!stop) {
                out.write(block, offset, CHUNK);
                crc.update(block, offset, CHUNK);
                total += CHUNK;
                offset = (offset + CHUNK + 4093) % (block.length - CHUNK);
            }
            socket.shutdownOutput();
            return new long[] {total, crc.getValue()};
        } catch (IOException e) {
            throw new IllegalStateException("sender: " + e, e);
        }
    }

    /**
     * Stops sending, waits for the receiver to read everything and checks the stream: same byte count
     * and CRC-32 on both sides, no error (a reset fails here). Returns the bytes transferred.
     */
    public long finish() throws Exception {
        stop = true;
        long[] s = sender.get(60, TimeUnit.SECONDS);
        long[] r = receiver.get(60, TimeUnit.SECONDS);
        if (s[0] != r[0] || s[1] != r[1]) {
            throw new IllegalStateException(String.format("stream damaged: sent %d bytes crc %08x, received %d bytes crc %08x",
                    s[0], s[1], r[0], r[1]));
        }
        return r[0];
    }

    @Override
    public void close() {
        stop = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
