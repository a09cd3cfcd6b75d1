package io.mpsec.kernel.socket;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code java.net.Socket} contract on virtual threads, run by {@link VirtualThreadsIT} on a JDK
 * 21+ with two carriers: timeouts, close from another thread (read, write, accept), interrupt,
 * concurrent accepts, a bulk transfer, and no epoll registration left behind. Started in the client
 * namespace; listeners are opened in the server namespace. Prints {@code RESULT <check>=ok} or
 * {@code RESULT <check>=FAIL <why>}.
 */
public final class VirtualThreadSemantics {
    private static ExecutorService vts;
    private static MpsecServerSocket server;
    private static InetAddress address;
    private static NetNamespace serverNamespace;

    private VirtualThreadSemantics() {
    }

    public static void main(String[] args) throws Exception {
        String serverNs = args[0];
        address = InetAddress.getByName(args[1]);
        vts = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        try (NetNamespace ns = NetNamespace.open(serverNs)) {
            serverNamespace = ns;
            server = ns.call(() -> new MpsecServerSocket(0, 50, address));
            check("readTimeout", VirtualThreadSemantics::readTimeout);
            check("closeUnblocksRead", VirtualThreadSemantics::closeUnblocksRead);
            check("closeUnblocksWrite", VirtualThreadSemantics::closeUnblocksWrite);
            check("interruptClosesRead", VirtualThreadSemantics::interruptClosesRead);
            check("acceptTimeout", VirtualThreadSemantics::acceptTimeout);
            check("concurrentAccepts", VirtualThreadSemantics::concurrentAccepts);
            check("connectRefused", VirtualThreadSemantics::connectRefused);
            check("bulkTransfer", VirtualThreadSemantics::bulkTransfer);
            check("closeUnblocksAccept", () -> closeUnblocksAccept(ns));
            server.close();
        }
        check("noRegistrationLeft", () -> {
            int read = Poller.forEvents(Syscalls.POLLIN).registered();
            int write = Poller.forEvents(Syscalls.POLLOUT).registered();
            int readSet = Poller.forEvents(Syscalls.POLLIN).members();
            int writeSet = Poller.forEvents(Syscalls.POLLOUT).members();
            return read == 0 && write == 0 && readSet == 0 && writeSet == 0 ? null
                    : "registered fds: read poller " + read + ", write poller " + write + "; in the epoll sets after every close: "
                    + readSet + " and " + writeSet;
        });
        System.out.flush();
        System.exit(0);
    }

    /** A connected pair: [0] client side, [1] server side. */
    private static MpsecSocket[] pair() throws Exception {
        MpsecSocket c = new MpsecSocket(address, server.getLocalPort());
        return new MpsecSocket[] {c, server.accept()};
    }

    private static String readTimeout() throws Exception {
        MpsecSocket[] p = pair();
        try (MpsecSocket c = p[0]; MpsecSocket s = p[1]) {
            c.setSoTimeout(300);
            long t0 = System.nanoTime();
            Future<Throwable> r = vts.submit(() -> failure(() -> c.getInputStream().read()));
            Throwable t = r.get(5, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (!(t instanceof SocketTimeoutException) || ms < 250 || ms > 3000) {
                return "expected SocketTimeoutException after ~300 ms, got " + t + " after " + ms + " ms";
            }
            s.getOutputStream().write(42);
            int b = vts.submit(() -> c.getInputStream().read()).get(5, TimeUnit.SECONDS);
            return b == 42 ? null : "socket not usable after the timeout: read " + b;
        }
    }

    private static String closeUnblocksRead() throws Exception {
        MpsecSocket[] p = pair();
        try (MpsecSocket s = p[1]) {
            Future<Throwable> r = vts.submit(() -> failure(() -> p[0].getInputStream().read()));
            Thread.sleep(300);
            if (r.isDone()) {
                return "read returned early: " + r.get();
            }
            p[0].close();
            return expectClosed(r.get(5, TimeUnit.SECONDS), "Socket closed");
        }
    }

    private static String closeUnblocksWrite() throws Exception {
        MpsecSocket[] p = pair();
        try (MpsecSocket s = p[1]) {
            AtomicLong written = new AtomicLong();
            Future<Throwable> w = vts.submit(() -> failure(() -> {
                byte[] chunk = new byte[64 * 1024];
                OutputStream out = p[0].getOutputStream();
                while (true) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
            }));
            long last = -1;
            while (written.get() != last) {
                last = written.get();
                Thread.sleep(300);
            }
            if (w.isDone()) {
                return "writer ended early: " + w.get();
            }
            p[0].close();
            return expectClosed(w.get(5, TimeUnit.SECONDS), "Socket closed");
        }
    }

    private static String interruptClosesRead() throws Exception {
        MpsecSocket[] p = pair();
        try (MpsecSocket s = p[1]) {
            Thread[] reader = new Thread[1];
            boolean[] stillInterrupted = new boolean[1];
            Future<Throwable> r = vts.submit(() -> {
                reader[0] = Thread.currentThread();
                Throwable t = failure(() -> p[0].getInputStream().read());
                stillInterrupted[0] = Thread.currentThread().isInterrupted();
                return t;
            });
            Thread.sleep(300);
            reader[0].interrupt();
            String why = expectClosed(r.get(5, TimeUnit.SECONDS), "Closed by interrupt");
            if (why != null) {
                return why;
            }
            if (!stillInterrupted[0]) {
                return "the interrupt status was cleared";
            }
            Throwable after = failure(() -> p[0].getInputStream().read());
            return after instanceof SocketException ? null : "socket still usable after the interrupt: " + after;
        }
    }

    private static String acceptTimeout() throws Exception {
        server.setSoTimeout(300);
        try {
            Throwable t = vts.submit(() -> failure(server::accept)).get(5, TimeUnit.SECONDS);
            return t instanceof SocketTimeoutException ? null : "expected SocketTimeoutException, got " + t;
        } finally {
            server.setSoTimeout(0);
        }
    }

    private static String concurrentAccepts() throws Exception {
        List<Future<MpsecSocket>> acceptors = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            acceptors.add(vts.submit(server::accept));
        }
        Thread.sleep(200);
        List<MpsecSocket> all = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                all.add(new MpsecSocket(address, server.getLocalPort()));
            }
            for (Future<MpsecSocket> f : acceptors) {
                all.add(f.get(5, TimeUnit.SECONDS));
            }
            return null;
        } finally {
            for (MpsecSocket s : all) {
                s.close();
            }
        }
    }

    private static String connectRefused() throws Exception {
        int port;
        try (MpsecServerSocket tmp = serverNamespace.call(() -> new MpsecServerSocket(0, 1, address))) {
            port = tmp.getLocalPort();
        }
        int closedPort = port;
        Throwable t = vts.submit(() -> failure(() -> new MpsecSocket(address, closedPort))).get(5, TimeUnit.SECONDS);
        return t instanceof ConnectException ? null : "expected ConnectException, got " + t;
    }

    private static String bulkTransfer() throws Exception {
        MpsecSocket[] p = pair();
        try (MpsecSocket c = p[0]; MpsecSocket s = p[1]) {
            long total = 64L << 20;
            Future<String> sent = vts.submit(() -> {
                String sha = Payload.send(c.getOutputStream(), total, 7, null);
                c.shutdownOutput();
                return sha;
            });
            Future<String> received = vts.submit(() -> {
                InputStream in = s.getInputStream();
                java.security.MessageDigest md = Payload.sha256();
                byte[] buf = new byte[100_000];
                long n = 0;
                int r;
                while ((r = in.read(buf)) > 0) {
                    md.update(buf, 0, r);
                    n += r;
                }
                return n + ":" + java.util.HexFormat.of().formatHex(md.digest());
            });
            String want = total + ":" + sent.get(60, TimeUnit.SECONDS);
            String got = received.get(60, TimeUnit.SECONDS);
            return want.equals(got) ? null : "sent " + want + ", received " + got;
        }
    }

    private static String closeUnblocksAccept(NetNamespace ns) throws Exception {
        MpsecServerSocket other = ns.call(() -> new MpsecServerSocket(0, 5, address));
        Future<Throwable> a = vts.submit(() -> failure(other::accept));
        Thread.sleep(300);
        if (a.isDone()) {
            return "accept returned early: " + a.get();
        }
        other.close();
        return expectClosed(a.get(5, TimeUnit.SECONDS), "Socket closed");
    }

    private static String expectClosed(Throwable t, String message) {
        return t instanceof SocketException && message.equals(t.getMessage()) ? null
                : "expected SocketException(\"" + message + "\"), got " + t;
    }

    /** Runs {@code c} and returns what it threw, or null. */
    private static Throwable failure(Callable<?> c) {
        try {
            c.call();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private static void check(String name, Callable<String> c) {
        String why;
        try {
            why = c.call();
        } catch (Throwable t) {
            why = "threw " + t;
        }
        System.out.println("RESULT " + name + "=" + (why == null ? "ok" : "FAIL " + why));
    }
}
