package io.mpsec.ipsec.lane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mpsec.kernel.netns.NetNamespace;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Proves the kernel lane end to end: this test runs inside the qemu guest started by
 * {@code kernel-lane/run.sh} (a Debian kernel with ESP), installs ESP transport SAs and policies with
 * {@code ip xfrm} between two network namespaces joined by a veth pair, pushes TCP data across, and
 * checks with {@code ip -s xfrm state} that the data went through the SAs.
 *
 * <p>It deliberately uses iproute2 only (not the Java xfrm binding) so that a failure here points at the
 * lane, not at MPSec. Keys are fixed test values; they never appear in output or assertion messages.
 */
@Tag("kernel-lane")
class KernelLaneSmokeIT {
    private static final String AEAD = "rfc4106(gcm(aes))";
    /** 128-bit AES key + 32-bit salt, per direction. Test values only; redacted from all output. */
    private static final String KEY_AB = "0x" + "6b65726e656c2d6c616e652d612d3e62" + "00000001";
    private static final String KEY_BA = "0x" + "6b65726e656c2d6c616e652d622d3e61" + "00000002";
    private static final Pattern KEY_HEX = Pattern.compile("0x[0-9a-fA-F]{32,}");
    private static final Pattern CURRENT = Pattern.compile("lifetime current:\\s+(\\d+)\\(bytes\\), (\\d+)\\(packets\\)");
    private static final String ADDR_A = "198.18.0.1";
    private static final String ADDR_B = "198.18.0.2";
    private static final String SPI_AB = "0x00001001";
    private static final String SPI_BA = "0x00001002";
    private static final int PORT = 5201;
    private static final int PAYLOAD = 2 * 1024 * 1024;

    private final String suffix = HexFormat.of().formatHex(randomBytes(3));
    private final String nsA = "mpsec-kl-a-" + suffix;
    private final String nsB = "mpsec-kl-b-" + suffix;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<String> createdNamespaces = new ArrayList<>();

    @BeforeEach
    void requireRoot() {
        // the project's one privilege check: skips with a message, or fails under mpsec.requireRoot=true
        io.mpsec.testbed.Privileged.require();
    }

    @AfterEach
    void cleanUp() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort: the namespaces are deleted below anyway
            }
        }
        for (String ns : createdNamespaces) {
            try {
                run(List.of("ip", "netns", "del", ns));
            } catch (Exception e) {
                System.err.println("cleanup: could not delete netns " + ns + ": " + e.getMessage());
            }
        }
    }

    @Test
    void tcpBetweenTwoNamespacesGoesThroughEspTransportSas() throws Exception {
        long t0 = System.nanoTime();
        String guestKernel = run(List.of("uname", "-r")).trim();
        String hostKernel = System.getProperty("mpsec.kernelLane.hostKernel");
        assertThat(hostKernel).as("system property mpsec.kernelLane.hostKernel (set by kernel-lane/run.sh)").isNotBlank();
        assertThat(guestKernel).as("guest kernel must differ from the host kernel").isNotEqualTo(hostKernel);

        createNamespaces();
        configureHost(nsA, "kla", ADDR_A, ADDR_B, SPI_AB, KEY_AB, SPI_BA, KEY_BA);
        configureHost(nsB, "klb", ADDR_B, ADDR_A, SPI_BA, KEY_BA, SPI_AB, KEY_AB);
        assertThat(Files.isDirectory(Path.of("/sys/module/esp4")))
                .as("esp4 is loaded in kernel " + guestKernel + " once an ESP SA exists").isTrue();

        String stateA = states(nsA);
        assertThat(sa(stateA, SPI_AB)).contains("proto esp spi " + SPI_AB).contains("mode transport").contains("aead " + AEAD);
        String stateB = states(nsB);
        long[] beforeOutA = counters(stateA, SPI_AB);
        long[] beforeInB = counters(stateB, SPI_AB);
        long[] beforeOutB = counters(stateB, SPI_BA);

        long t1 = System.nanoTime();
        byte[] payload = new byte[PAYLOAD];
        new Random(42).nextBytes(payload);
        CRC32 crc = new CRC32();
        crc.update(payload);
        long[] received = transfer(payload);
        assertEquals(PAYLOAD, received[0], "bytes received by the server in " + nsB);
        assertEquals(crc.getValue(), received[1], "CRC32 of the bytes received in " + nsB);

        long t2 = System.nanoTime();
        stateA = states(nsA);
        stateB = states(nsB);
        long[] afterOutA = counters(stateA, SPI_AB);
        long[] afterInB = counters(stateB, SPI_AB);
        long[] afterOutB = counters(stateB, SPI_BA);
        assertThat(afterOutA[0] - beforeOutA[0]).as("bytes through the outbound SA %s in %s", SPI_AB, nsA)
                .isGreaterThanOrEqualTo(PAYLOAD);
        assertThat(afterInB[0] - beforeInB[0]).as("bytes through the inbound SA %s in %s", SPI_AB, nsB)
                .isGreaterThanOrEqualTo(PAYLOAD);
        assertThat(afterInB[1] - beforeInB[1]).as("packets through the inbound SA %s in %s", SPI_AB, nsB)
                .isGreaterThan(PAYLOAD / 65536);
        assertThat(afterOutB[1] - beforeOutB[1]).as("packets (ACKs, reply) through the SA %s in %s", SPI_BA, nsB)
                .isPositive();
        System.out.printf("kernel-lane smoke: guest %s (host %s): %d bytes over ESP; SA %s carried %d bytes in %d packets;"
                        + " setup %.1f s, transfer %.1f s%n", guestKernel, hostKernel, PAYLOAD, SPI_AB,
                afterInB[0] - beforeInB[0], afterInB[1] - beforeInB[1], (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }

    /**
     * Two namespaces joined by a veth pair. Commands go through {@code ip -batch}: every process start
     * costs a second or more under emulation.
     */
    private void createNamespaces() throws Exception {
        createdNamespaces.add(nsA);
        createdNamespaces.add(nsB);
        batch(null, List.of(
                "netns add " + nsA,
                "netns add " + nsB,
                "link add kla netns " + nsA + " type veth peer name klb netns " + nsB));
    }

    /** Address, links, SAs for both directions and the out/in policies of the host at {@code local}. */
    private static void configureHost(String ns, String dev, String local, String remote, String spiOut, String keyOut,
            String spiIn, String keyIn) throws Exception {
        batch(ns, List.of(
                "link set lo up",
                "addr add " + local + "/24 dev " + dev,
                "link set " + dev + " up",
                "xfrm state add src " + local + " dst " + remote + " proto esp spi " + spiOut
                        + " reqid 1 mode transport aead " + AEAD + " " + keyOut + " 128",
                "xfrm state add src " + remote + " dst " + local + " proto esp spi " + spiIn
                        + " reqid 2 mode transport aead " + AEAD + " " + keyIn + " 128",
                "xfrm policy add src " + local + "/32 dst " + remote + "/32 dir out tmpl src " + local + " dst " + remote
                        + " proto esp reqid 1 mode transport",
                "xfrm policy add src " + remote + "/32 dst " + local + "/32 dir in tmpl src " + remote + " dst " + local
                        + " proto esp reqid 2 mode transport"));
    }

    /** Runs {@code ip [-n ns] -batch -} with the given lines (one iproute2 command each, no "ip"). */
    private static void batch(String ns, List<String> lines) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip"));
        if (ns != null) {
            command.addAll(List.of("-n", ns));
        }
        command.addAll(List.of("-batch", "-"));
        run(command, String.join("\n", lines) + "\n");
    }

    /** Sends {@code payload} from A to B over TCP; returns what B counted: {bytes, crc32}. */
    private long[] transfer(byte[] payload) throws Exception {
        NetNamespace a = NetNamespace.open(nsA);
        closeables.add(a);
        NetNamespace b = NetNamespace.open(nsB);
        closeables.add(b);
        ServerSocket server = b.call(() -> {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(ADDR_B, PORT));
            return s;
        });
        closeables.add(server);
        server.setSoTimeout(60_000);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        closeables.add(pool::shutdownNow);
        Future<long[]> serverSide = pool.submit(() -> {
            try (Socket peer = server.accept()) {
                peer.setSoTimeout(60_000);
                InputStream in = peer.getInputStream();
                CRC32 crc = new CRC32();
                byte[] buf = new byte[65536];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    crc.update(buf, 0, n);
                    total += n;
                }
                new DataOutputStream(peer.getOutputStream()).writeLong(total);
                return new long[] {total, crc.getValue()};
            }
        });
        Socket client = a.call(() -> {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(ADDR_B, PORT), 30_000);
            return s;
        });
        closeables.add(client);
        client.setSoTimeout(60_000);
        OutputStream out = client.getOutputStream();
        out.write(payload);
        out.flush();
        client.shutdownOutput();
        long acked = new DataInputStream(client.getInputStream()).readLong();
        long[] result = serverSide.get(90, TimeUnit.SECONDS);
        assertEquals(payload.length, acked, "byte count the server reported back to the client");
        return result;
    }

    /** {@code ip -s xfrm state} of {@code ns}, keys left out. */
    private static String states(String ns) throws Exception {
        return run(List.of("ip", "-s", "-n", ns, "xfrm", "state", "list", "nokeys"));
    }

    /** The block of one SA (from its "src ... dst ..." line to the next) in {@code ip xfrm state} output. */
    private static String sa(String states, String spi) {
        for (String block : states.split("(?m)^(?=src )")) {
            if (block.contains("spi " + spi + "(")) {
                return block;
            }
        }
        throw new AssertionError("no SA with spi " + spi + " in:\n" + states);
    }

    /** {bytes, packets} of the SA with {@code spi}, from its "lifetime current" counters. */
    private static long[] counters(String states, String spi) {
        String block = sa(states, spi);
        Matcher m = CURRENT.matcher(block);
        assertThat(m.find()).as("'lifetime current' counters of SA %s:%n%s", spi, block).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    /** Runs a command; fails with its (redacted) command line and output when it exits non-zero. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        return run(command, "");
    }

    /** Runs a command with {@code stdin}; fails with its (redacted) command line and output. */
    private static String run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + redact(String.join(" ", command)));
        }
        String out = redact(new String(bytes, StandardCharsets.UTF_8));
        if (p.exitValue() != 0) {
            throw new AssertionError("'" + redact(String.join(" ", command)) + "' exited with " + p.exitValue()
                    + ": " + out.trim());
        }
        return out;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** Keys never reach output: iproute2 prints them in {@code ip xfrm state}. */
    private static String redact(String s) {
        return KEY_HEX.matcher(s).replaceAll("<redacted key>");
    }
}
