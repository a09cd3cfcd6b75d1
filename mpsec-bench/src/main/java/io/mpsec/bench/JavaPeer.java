package io.mpsec.bench;

import io.mpsec.MpsecSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The MPSec side of a transfer, written the way an application would: {@code OutputStream.write} /
 * {@code InputStream.read} of a 128 KiB array (the C peer's size), sampled like the C peer: every
 * ~100 ms the bytes so far and the whole JVM's CPU time ({@code getrusage(RUSAGE_SELF)}).
 */
public final class JavaPeer {
    static final int CHUNK = 128 * 1024;
    private static final long SAMPLE_NANOS = 100_000_000L;

    private JavaPeer() {
    }

    /** Writes for {@code seconds}; gives up at 600 ms with fewer than {@code minBytes} sent (stall mode). */
    public static PeerResult send(MpsecSocket socket, double seconds, long minBytes) throws IOException {
        Samples s = new Samples();
        byte[] chunk = new byte[CHUNK];
        java.util.Arrays.fill(chunk, (byte) 0x5a);
        OutputStream out = socket.getOutputStream();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long check = start + 600_000_000L;
        long next = start + SAMPLE_NANOS;
        long bytes = 0;
        boolean aborted = false;
        s.addNow(start, 0);
        while (true) {
            out.write(chunk);
            bytes += CHUNK;
            long t = System.nanoTime();
            if (t >= next) {
                s.addNow(t, bytes);
                next += SAMPLE_NANOS;
            }
            if (t >= end) {
                break;
            }
            if (check != 0 && t >= check) {
                if (bytes < minBytes) {
                    aborted = true;
                    s.addNow(t, bytes);
                    break;
                }
                check = 0;
            }
        }
        Map<String, String> info = new LinkedHashMap<>();
        info.put("aborted", aborted ? "1" : "0");
        info.put("mptcp.bytes_retrans", String.valueOf(socket.isMultipath() ? socket.connectionInfo().bytesRetrans().orElse(0) : 0));
        socket.shutdownOutput();
        InputStream in = socket.getInputStream();
        while (in.read(chunk) > 0) {
            // until the peer closes
        }
        return new PeerResult(s, info);
    }

    /** Reads until end of stream. */
    public static PeerResult receive(MpsecSocket socket) throws IOException {
        Samples s = new Samples();
        byte[] chunk = new byte[CHUNK];
        InputStream in = socket.getInputStream();
        long bytes = 0;
        long next = 0;
        while (true) {
            int n = in.read(chunk);
            long t = System.nanoTime();
            if (next == 0) {
                s.addNow(t, 0);
                next = t + SAMPLE_NANOS;
            }
            if (n < 0) {
                s.addNow(t, bytes);
                break;
            }
            bytes += n;
            if (t >= next) {
                s.addNow(t, bytes);
                next += SAMPLE_NANOS;
            }
        }
        return new PeerResult(s, new LinkedHashMap<>());
    }
}
