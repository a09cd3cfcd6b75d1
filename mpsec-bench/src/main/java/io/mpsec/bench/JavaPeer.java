package io.mpsec.bench;

import io.mpsec.MpsecSocket;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The MPSec side of a transfer, written the way an application would: {@code OutputStream.write} /
 * {@code InputStream.read} of a 128 KiB array (the C peer's size), sampled like the C peer: every
 * ~100 ms the bytes so far and the whole JVM's CPU time ({@code getrusage(RUSAGE_SELF)}).
 */
public final class JavaPeer {
    static final int CHUNK = 128 * 1024;

    private JavaPeer() {
    }

    /** Writes for {@code seconds}; gives up at 600 ms with fewer than {@code minBytes} sent (stall mode). */
    public static PeerResult send(MpsecSocket socket, double seconds, long minBytes) throws IOException {
        Samples s = new Samples();
        byte[] chunk = new byte[CHUNK];
        java.util.Arrays.fill(chunk, (byte) 0x5a);
        boolean aborted = s.writeFor(socket.getOutputStream(), chunk, seconds, minBytes);
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
        s.readAll(socket.getInputStream(), chunk);
        return new PeerResult(s, new LinkedHashMap<>());
    }
}
