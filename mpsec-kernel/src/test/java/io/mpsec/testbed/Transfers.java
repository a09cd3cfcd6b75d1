package io.mpsec.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Plain-TCP helpers for testbed ITs: a bulk transfer between two hosts, measured at the receiver. */
public final class Transfers {
    private Transfers() {
    }

    /** Bytes received and the receiver's time from first byte to end of stream. */
    public record Result(long bytes, long nanos) {
        /** Receiver goodput in Mbit/s. */
        public double mbitPerSecond() {
            return nanos == 0 ? 0 : bytes * 8.0 / (nanos / 1e9) / 1e6;
        }
    }

    /**
     * Opens a TCP server on {@code serverAddress} inside {@code server}, connects from {@code client}
     * and sends for {@code duration}; returns what the receiver counted once the stream ended.
     */
    public static Result timed(Testbed.Host server, InetAddress serverAddress, Testbed.Host client, Duration duration)
            throws Exception {
        return run(server, serverAddress, client, duration, Long.MAX_VALUE);
    }

    /** Like {@link #timed} but sends exactly {@code bytes} bytes. */
    public static Result sized(Testbed.Host server, InetAddress serverAddress, Testbed.Host client, long bytes)
            throws Exception {
        return run(server, serverAddress, client, Duration.ofMinutes(1), bytes);
    }

    private static Result run(Testbed.Host server, InetAddress serverAddress, Testbed.Host client, Duration duration,
            long limit) throws Exception {
        try (ServerSocket listener = server.call(() -> new ServerSocket(0, 1, serverAddress))) {
            int port = listener.getLocalPort();
            CompletableFuture<Result> receiver = CompletableFuture.supplyAsync(() -> receive(listener));
            try (Socket s = client.call(() -> {
                Socket c = new Socket();
                c.connect(new InetSocketAddress(serverAddress, port), 5_000);
                return c;
            })) {
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[64 * 1024];
                long end = System.nanoTime() + duration.toNanos();
                long sent = 0;
                while (sent < limit && System.nanoTime() < end) {
                    int n = (int) Math.min(buf.length, limit - sent);
                    out.write(buf, 0, n);
                    sent += n;
                }
            }
            return receiver.get(60, TimeUnit.SECONDS);
        }
    }

    private static Result receive(ServerSocket listener) {
        try (Socket s = listener.accept(); InputStream in = s.getInputStream()) {
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            long first = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (total == 0 && n > 0) {
                    first = System.nanoTime();
                }
                total += n;
            }
            return new Result(total, total == 0 ? 0 : System.nanoTime() - first);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether a TCP connection from {@code client} to {@code address} succeeds within {@code timeoutMs}. */
    public static boolean canConnect(Testbed.Host server, InetAddress address, Testbed.Host client, int timeoutMs)
            throws Exception {
        try (ServerSocket listener = server.call(() -> new ServerSocket(0, 1, address))) {
            return client.call(() -> {
                try (Socket c = new Socket()) {
                    c.connect(new InetSocketAddress(address, listener.getLocalPort()), timeoutMs);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }
}
