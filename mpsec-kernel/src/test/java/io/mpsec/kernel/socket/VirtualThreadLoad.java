package io.mpsec.kernel.socket;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The program {@link VirtualThreadsIT} runs on a JDK 21+ with the virtual-thread scheduler at two
 * carriers. It is started inside the client namespace and opens the listening socket in the server
 * namespace (given by name), so both ends of every connection live in one JVM:
 *
 * <ol>
 * <li>{@code n} client virtual threads connect and block in {@code read()}; for each accepted
 *     connection a server virtual thread blocks in {@code read()} too (2n blocked virtual threads);</li>
 * <li>a trivial virtual thread is started and the time until it runs is measured;</li>
 * <li>a ticker virtual thread sleeps 10 ms at a time for {@code seconds} and records how late each
 *     wake-up is;</li>
 * <li>one byte is written to every server-side socket; every client reads it and answers, every
 *     server thread reads the answer.</li>
 * </ol>
 *
 * Results are printed as {@code RESULT key=value} lines; every wait is bounded, so a starved
 * scheduler shows up as missing counts instead of a hang. Compiled for Java 17: virtual threads are
 * reached through reflection.
 */
public final class VirtualThreadLoad {
    private VirtualThreadLoad() {
    }

    public static void main(String[] args) throws Exception {
        String serverNs = args[0];
        InetAddress address = InetAddress.getByName(args[1]);
        int n = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        ExecutorService vts = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        print("java.version", System.getProperty("java.version"));
        print("parallelism", System.getProperty("jdk.virtualThreadScheduler.parallelism"));

        MpsecServerSocket server;
        try (NetNamespace ns = NetNamespace.open(serverNs)) {
            server = ns.call(() -> new MpsecServerSocket(0, n + 16, address));
        }
        int port = server.getLocalPort();
        Queue<MpsecSocket> serverSide = new ConcurrentLinkedQueue<>();
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger connected = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger clientsDone = new AtomicInteger();
        AtomicInteger serversDone = new AtomicInteger();
        CountDownLatch allBlocked = new CountDownLatch(2 * n);

        long t0 = System.nanoTime();
        vts.submit(() -> {
            for (int i = 0; i < n; i++) {
                try {
                    MpsecSocket s = server.accept();
                    accepted.incrementAndGet();
                    serverSide.add(s);
                    vts.submit(() -> {
                        try (s; InputStream in = s.getInputStream()) {
                            allBlocked.countDown();
                            if (in.read() == 2) {
                                serversDone.incrementAndGet();
                            }
                        } catch (Throwable t) {
                            errors.add(t);
                        }
                    });
                } catch (Throwable t) {
                    errors.add(t);
                    return;
                }
            }
        });
        for (int i = 0; i < n; i++) {
            vts.submit(() -> {
                try (MpsecSocket s = new MpsecSocket(address, port)) {
                    connected.incrementAndGet();
                    InputStream in = s.getInputStream();
                    allBlocked.countDown();
                    if (in.read() == 1) {
                        s.getOutputStream().write(2);
                        clientsDone.incrementAndGet();
                        in.read(); // EOF once the server side closes
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            });
        }
        boolean blocked = allBlocked.await(60, TimeUnit.SECONDS);
        Thread.sleep(200); // the last threads reach their read
        print("setup.millis", (System.nanoTime() - t0) / 1_000_000);
        print("connected", connected.get());
        print("accepted", accepted.get());
        print("all.blocked", blocked);

        // how long until a trivial virtual thread runs while 2n are blocked in reads
        long submitted = System.nanoTime();
        CountDownLatch ran = new CountDownLatch(1);
        long[] startedAt = new long[1];
        vts.submit(() -> {
            startedAt[0] = System.nanoTime();
            ran.countDown();
        });
        boolean didRun = ran.await(10, TimeUnit.SECONDS);
        print("trivial.ran", didRun);
        print("trivial.latency.millis", didRun ? (startedAt[0] - submitted) / 1_000_000.0 : -1);

        long[] lateness = ticker(vts, seconds);
        print("ticker.samples", lateness.length);
        if (lateness.length > 0) {
            print("ticker.p50.millis", percentile(lateness, 0.50) / 1e6);
            print("ticker.p99.millis", percentile(lateness, 0.99) / 1e6);
            print("ticker.max.millis", lateness[lateness.length - 1] / 1e6);
        }
        print("platform.threads", ManagementFactory.getThreadMXBean().getThreadCount());
        print("platform.threads.peak", ManagementFactory.getThreadMXBean().getPeakThreadCount());

        // wake everyone: one byte to each client, the answer back to each server thread
        long wake = System.nanoTime();
        for (MpsecSocket s : serverSide) {
            try {
                s.getOutputStream().write(1);
            } catch (Throwable t) {
                errors.add(t);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((clientsDone.get() < n || serversDone.get() < n) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        print("wake.millis", (System.nanoTime() - wake) / 1_000_000);
        print("clients.done", clientsDone.get());
        print("servers.done", serversDone.get());
        print("errors", errors.size());
        List<String> firstErrors = new ArrayList<>();
        errors.stream().limit(5).forEach(t -> firstErrors.add(t.toString()));
        print("first.errors", firstErrors);
        server.close();
        System.out.flush();
        System.exit(0); // starved virtual threads must not keep the JVM alive
    }

    /** Sleeps 10 ms at a time on a virtual thread for {@code seconds}; returns the sorted lateness in ns. */
    private static long[] ticker(ExecutorService vts, int seconds) throws InterruptedException {
        int max = seconds * 100;
        long[] late = new long[max];
        AtomicInteger count = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        vts.submit(() -> {
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                while (System.nanoTime() < end && count.get() < max) {
                    long before = System.nanoTime();
                    Thread.sleep(10);
                    late[count.getAndIncrement()] = Math.max(0, System.nanoTime() - before - 10_000_000L);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                done.countDown();
            }
        });
        done.await(seconds + 10L, TimeUnit.SECONDS);
        long[] out = Arrays.copyOf(late, count.get());
        Arrays.sort(out);
        return out;
    }

    private static long percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static void print(String key, Object value) {
        System.out.println("RESULT " + key + "=" + value);
    }
}
