package io.mpsec.bench;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;

/**
 * The C peer's program ({@code mptcp_peer.c}) written with plain JDK sockets ({@code java.net.Socket},
 * no MPSec): blocking {@code write}/{@code read} of 128 KiB, the whole process's CPU time sampled every
 * 100 ms, the same command line and output, so {@link CPeer} runs and parses it like the C program.
 * The benchmark runs it under {@code mptcpize run} (Debian package mptcpize), which makes its TCP
 * sockets MPTCP through LD_PRELOAD: the JDK's own data path on the same kind of connection.
 *
 * <pre>
 *   JdkPeer sink   ADDR PORT
 *   JdkPeer source ADDR PORT SECONDS [MIN_BYTES]
 * </pre>
 */
public final class JdkPeer {
    private JdkPeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || !(args[0].equals("sink") || args[0].equals("source") && args.length >= 4)) {
            System.err.println("usage: JdkPeer sink ADDR PORT | source ADDR PORT SECONDS [MIN_BYTES]");
            System.exit(2);
        }
        PrintStream out = System.out;
        // the first CPU-time read loads the native-call library (about a second under load): not in a transfer
        io.mpsec.kernel.ffi.Syscalls.processCpuTimes();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        Samples s = new Samples();
        byte[] buf = new byte[JavaPeer.CHUNK];
        Arrays.fill(buf, (byte) 0x5a);
        if (args[0].equals("sink")) {
            try (ServerSocket listener = new ServerSocket()) {
                listener.setReuseAddress(true);
                listener.bind(address, 4);
                out.println("READY " + listener.getLocalPort());
                out.flush();
                try (Socket c = listener.accept()) {
                    s.readAll(c.getInputStream(), buf);
                }
            }
        } else {
            long minBytes = args.length >= 5 ? Long.parseLong(args[4]) : 0;
            try (Socket c = new Socket()) {
                c.connect(address);
                boolean aborted = s.writeFor(c.getOutputStream(), buf, Double.parseDouble(args[3]), minBytes);
                out.println("INFO aborted=" + (aborted ? 1 : 0));
                c.shutdownOutput();
                InputStream in = c.getInputStream();
                while (in.read(buf) > 0) {
                    // until the peer closes
                }
            }
        }
        s.print(out);
        out.flush();
    }
}
