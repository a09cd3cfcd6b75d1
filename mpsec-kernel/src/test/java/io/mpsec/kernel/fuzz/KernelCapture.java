package io.mpsec.kernel.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the captures of what the kernel sent (test resources {@code golden/replies/*.txt} and
 * {@code golden/xfrm-kernel/*.txt}, made by the {@code capture.sh} next to them): strace's hex dumps
 * of every received datagram, each preceded by {@code "# recvmsg fd N = LEN"}, and python3's
 * {@code "hex: ..."} lines for getsockopt results.
 */
public final class KernelCapture {
    private static final Pattern FD = Pattern.compile("^# recv\\w* fd (\\d+) = (\\d+)");
    private static final Pattern START = Pattern.compile("^ +\\* (\\d+) bytes in buffer");
    private static final Pattern LINE = Pattern.compile("^ \\| ([0-9a-f]{5})  (.{49})");

    /** One datagram as a tool received it, with the descriptor it came from (tools use several sockets). */
    public record Datagram(int fd, byte[] bytes) {
    }

    private KernelCapture() {
    }

    /** The datagrams in the capture file at classpath resource {@code path}. */
    public static List<Datagram> datagrams(String path) {
        List<Datagram> out = new ArrayList<>();
        int fd = -1;
        int curFd = -1;
        int expected = -1;
        ByteArrayOutputStream cur = null;
        for (String line : text(path).split("\n")) {
            Matcher m = FD.matcher(line);
            if (m.find()) {
                fd = Integer.parseInt(m.group(1));
                continue;
            }
            m = START.matcher(line);
            if (m.find()) {
                finish(out, curFd, cur, expected, path);
                curFd = fd;
                cur = new ByteArrayOutputStream();
                expected = Integer.parseInt(m.group(1));
                continue;
            }
            m = LINE.matcher(line);
            if (m.find() && cur != null) {
                byte[] b = HexFormat.of().parseHex(m.group(2).replace(" ", ""));
                cur.write(b, 0, b.length);
            }
        }
        finish(out, curFd, cur, expected, path);
        return out;
    }

    private static void finish(List<Datagram> out, int fd, ByteArrayOutputStream cur, int expected, String path) {
        if (cur == null) {
            return;
        }
        if (cur.size() != expected) {
            throw new IllegalStateException(path + ": datagram of " + cur.size() + " bytes, strace said " + expected);
        }
        out.add(new Datagram(fd, cur.toByteArray()));
    }

    /** The byte strings of the {@code "hex: ..."} lines in the file at {@code path}. */
    public static List<byte[]> hexLines(String path) {
        List<byte[]> out = new ArrayList<>();
        for (String line : text(path).split("\n")) {
            if (line.startsWith("hex: ")) {
                out.add(HexFormat.of().parseHex(line.substring(5).trim()));
            }
        }
        return out;
    }

    /** The messages of every datagram, each as its own datagram, whose nlmsg_type satisfies {@code type}. */
    public static List<byte[]> messages(String path, java.util.function.IntPredicate type) {
        return messages(path, fd -> true, type);
    }

    /**
     * As {@link #messages(String, java.util.function.IntPredicate)}, only from the socket the tool read
     * first (iproute2 opens its main socket first and an rtnetlink socket for interface names later;
     * their message types overlap, RTM_NEWLINK and XFRM_MSG_NEWSA are both 16).
     */
    public static List<byte[]> primaryMessages(String path, java.util.function.IntPredicate type) {
        List<Datagram> all = datagrams(path);
        int primary = all.isEmpty() ? -1 : all.get(0).fd();
        return messages(path, fd -> fd == primary, type);
    }

    private static List<byte[]> messages(String path, java.util.function.IntPredicate fds, java.util.function.IntPredicate type) {
        List<byte[]> out = new ArrayList<>();
        for (Datagram d : datagrams(path)) {
            if (!fds.test(d.fd())) {
                continue;
            }
            byte[] b = d.bytes();
            int off = 0;
            while (b.length - off >= 16) {
                int len = (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
                int t = (b[off + 4] & 0xff) | (b[off + 5] & 0xff) << 8;
                if (len < 16 || len > b.length - off) {
                    throw new IllegalStateException(path + ": bad nlmsg_len " + len + " at " + off);
                }
                if (type.test(t)) {
                    out.add(java.util.Arrays.copyOfRange(b, off, off + len));
                }
                off += (len + 3) & ~3;
            }
        }
        return out;
    }

    static String text(String path) {
        try (InputStream in = KernelCapture.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("missing capture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
