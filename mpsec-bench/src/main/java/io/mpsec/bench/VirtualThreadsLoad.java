package io.mpsec.bench;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The two programs {@link VirtualThreadsBenchmark} runs, each on a JDK 21+ with the virtual-thread
 * scheduler at two carriers:
 * <ul>
 * <li>{@code server ADDRESS SIZE} (in the server namespace): an {@link MpsecServerSocket} that serves
 *     every accepted connection on its own virtual thread (an echo of whatever arrives); it prints
 *     {@code PORT <port>}, serves until its standard input ends, then prints its result;</li>
 * <li>{@code client ADDRESS PORT CONNECTIONS WARM-SECONDS SECONDS SIZE} (in the client namespace): one
 *     virtual thread per connection connects (at most 256 connects in flight), then all of them together
 *     send {@code size} bytes and read the echo in a loop, for {@code warmSeconds} (not counted) and then
 *     {@code seconds} (the window).</li>
 * </ul>
 * Each prints one line {@code VTRESULT <json>}: connections accepted or established, how many are
 * MPTCP ({@link MpsecSocket#isMultipath()}), and, for the client, round trips and bytes per second
 * over the window and round-trip latency percentiles (100 us buckets); for both, the largest number
 * of carrier threads ({@code jdk.internal.misc.CarrierThread}) and of platform threads seen, and the
 * errors. With {@code -Dmpsec.vt.socket=jdk} both ends use the JDK's own sockets (plain TCP) instead,
 * as a baseline. Compiled for Java 17: virtual threads are reached through reflection.
 */
public final class VirtualThreadsLoad {
    static final String PREFIX = "VTRESULT ";
    /** {@code -Dmpsec.vt.socket=jdk}: the JDK's own {@link Socket} and {@link ServerSocket} (plain TCP) instead of MPSec's, as a baseline. */
    static final boolean JDK = "jdk".equals(System.getProperty("mpsec.vt.socket", "mpsec"));
    private static final long BUCKET_NANOS = 100_000L;
    private static final int BUCKETS = 100_000; // up to 10 s, the last bucket holds anything slower

    private VirtualThreadsLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("server")) {
            server(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        } else if (args.length == 7 && args[0].equals("client")) {
            client(InetAddress.getByName(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Double.parseDouble(args[4]),
                    Double.parseDouble(args[5]), Integer.parseInt(args[6]));
        } else {
            System.err.println("usage: VirtualThreadsLoad server ADDRESS SIZE | client ADDRESS PORT CONNECTIONS WARM-SECONDS SECONDS SIZE");
            System.exit(2);
        }
    }

    /**
     * Listens on {@code address}, prints {@code PORT <port>}, serves every connection on its own
     * virtual thread until standard input ends, then prints its result.
     */
    private static void server(InetAddress address, int size) throws Exception {
        ExecutorService vts = virtualThreads();
        ServerSocket server = JDK ? new ServerSocket(0, 65535, address) : new MpsecServerSocket(0, 65535, address);
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger mptcp = new AtomicInteger();
        AtomicInteger carriersPeak = sampleCarriers();
        vts.submit(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    vts.submit(() -> {
                        try {
                            if (s instanceof MpsecSocket m && m.isMultipath()) {
                                mptcp.incrementAndGet();
                            }
                        } catch (Throwable t) {
                            errors.add(t);
                        }
                        echo(s, size, errors);
                    });
                } catch (Throwable t) {
                    if (!server.isClosed()) {
                        errors.add(t);
                    }
                    return;
                }
            }
        });
        System.out.println("PORT " + server.getLocalPort());
        System.out.flush();
        System.in.transferTo(java.io.OutputStream.nullOutputStream()); // until the benchmark closes our stdin
        server.close();
        Map<String, Object> out = common();
        out.put("accepted", accepted.get());
        out.put("mptcp", mptcp.get());
        out.put("carriersPeak", carriersPeak.get());
        out.put("platformThreadsPeak", ManagementFactory.getThreadMXBean().getPeakThreadCount());
        finish(out, errors);
    }

    /** {@code n} client virtual threads: connect, then request / answer for {@code warmSeconds + seconds}; prints the result. */
    private static void client(InetAddress address, int port, int n, double warmSeconds, double seconds, int size) throws Exception {
        ExecutorService vts = virtualThreads();
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger connected = new AtomicInteger();
        AtomicInteger mptcp = new AtomicInteger();
        AtomicInteger carriersPeak = sampleCarriers();
        AtomicLong roundTrips = new AtomicLong();
        AtomicLongArray histogram = new AtomicLongArray(BUCKETS);
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(n);
        Semaphore connecting = new Semaphore(256);
        long[] window = new long[2];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            vts.submit(() -> {
                Socket s = null;
                try {
                    connecting.acquire();
                    try {
                        s = JDK ? new Socket(address, port) : new MpsecSocket(address, port);
                    } finally {
                        connecting.release();
                    }
                    connected.incrementAndGet();
                    if (s instanceof MpsecSocket m && m.isMultipath()) {
                        mptcp.incrementAndGet();
                    }
                } catch (Throwable t) {
                    errors.add(t);
                } finally {
                    ready.countDown();
                }
                try {
                    go.await();
                    if (s != null) {
                        roundTrips.addAndGet(requests(s, size, window, histogram));
                    }
                } catch (Throwable t) {
                    errors.add(t);
                } finally {
                    finished.countDown();
                    if (s != null) {
                        try {
                            s.close();
                        } catch (Throwable ignored) {
                            // the count is what matters
                        }
                    }
                }
            });
        }
        boolean allReady = ready.await(120, TimeUnit.SECONDS);
        Map<String, Object> out = common();
        out.put("setupMillis", (System.nanoTime() - t0) / 1_000_000);
        System.out.println("CONNECTED"); // the benchmark counts the MPTCP sockets with ss now
        System.out.flush();
        window[0] = System.nanoTime() + (long) (warmSeconds * 1e9);
        window[1] = window[0] + (long) (seconds * 1e9);
        go.countDown();
        boolean allFinished = finished.await((long) (warmSeconds + seconds) + 60, TimeUnit.SECONDS);
        double wall = (window[1] - window[0]) / 1e9;
        long trips = roundTrips.get();
        out.put("connections", n);
        out.put("connected", connected.get());
        out.put("mptcp", mptcp.get());
        out.put("allReady", allReady);
        out.put("allFinished", allFinished);
        out.put("warmSeconds", warmSeconds);
        out.put("seconds", wall);
        out.put("size", size);
        out.put("roundTrips", trips);
        out.put("roundTripsPerSecond", trips / wall);
        out.put("bytesPerSecond", 2.0 * size * trips / wall);
        out.put("p50Millis", percentile(histogram, trips, 0.50));
        out.put("p99Millis", percentile(histogram, trips, 0.99));
        out.put("p999Millis", percentile(histogram, trips, 0.999));
        out.put("carriersPeak", carriersPeak.get());
        out.put("platformThreadsPeak", ManagementFactory.getThreadMXBean().getPeakThreadCount());
        finish(out, errors);
    }

    private static ExecutorService virtualThreads() throws ReflectiveOperationException {
        return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    }

    private static Map<String, Object> common() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("javaVersion", System.getProperty("java.version"));
        out.put("parallelism", System.getProperty("jdk.virtualThreadScheduler.parallelism"));
        out.put("socket", JDK ? "jdk" : "mpsec");
        return out;
    }

    /** Counts the carrier threads ({@code jdk.internal.misc.CarrierThread}) every 100 ms; the largest count so far. */
    private static AtomicInteger sampleCarriers() {
        AtomicInteger peak = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (true) {
                long carriers = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getClass().getName().endsWith("CarrierThread")).count();
                peak.accumulateAndGet((int) carriers, Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "carrier-sampler");
        sampler.setDaemon(true);
        sampler.start();
        return peak;
    }

    private static void finish(Map<String, Object> out, Queue<Throwable> errors) throws IOException {
        out.put("errors", errors.size());
        out.put("firstErrors", errors.stream().limit(5).map(Throwable::toString).toList());
        System.out.println(PREFIX + SideFile.JSON.writeValueAsString(out));
        System.out.flush();
        System.exit(0); // a stuck virtual thread must not keep the JVM alive
    }

    /** One client: request / answer until the window closes; returns the round trips that started and ended in it. */
    private static long requests(Socket s, int size, long[] window, AtomicLongArray histogram) throws Exception {
        byte[] req = new byte[size];
        java.util.Arrays.fill(req, (byte) 0x5a);
        byte[] ans = new byte[size];
        OutputStream o = s.getOutputStream();
        InputStream in = s.getInputStream();
        long count = 0;
        while (true) {
            long t = System.nanoTime();
            if (t >= window[1]) {
                return count;
            }
            o.write(req);
            int got = 0;
            while (got < size) {
                int r = in.read(ans, got, size - got);
                if (r < 0) {
                    throw new EOFException("the server closed after " + got + " of " + size + " bytes");
                }
                got += r;
            }
            long done = System.nanoTime();
            if (t >= window[0] && done <= window[1]) {
                count++;
                histogram.incrementAndGet((int) Math.min(BUCKETS - 1, (done - t) / BUCKET_NANOS));
            }
        }
    }

    /** The server side of one connection: echoes until end of stream. */
    private static void echo(Socket s, int size, Queue<Throwable> errors) {
        byte[] buf = new byte[size];
        try (s; InputStream in = s.getInputStream(); OutputStream o = s.getOutputStream()) {
            int r;
            while ((r = in.read(buf)) > 0) {
                o.write(buf, 0, r);
            }
        } catch (Throwable t) {
            errors.add(t);
        }
    }

    /** The upper edge (ms) of the bucket holding quantile {@code q} of {@code total} samples. */
    static double percentile(AtomicLongArray histogram, long total, double q) {
        if (total == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < histogram.length(); i++) {
            seen += histogram.get(i);
            if (seen >= rank) {
                return (i + 1) * BUCKET_NANOS / 1e6;
            }
        }
        return histogram.length() * BUCKET_NANOS / 1e6;
    }
}
