package io.mpsec.kernel.socket;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.ffi.Syscalls;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Encodes and decodes {@code struct sockaddr_in} (16 bytes) and {@code struct sockaddr_in6} (28 bytes),
 * see netinet/in.h. The family is host order; the port is network order.
 */
public final class SockAddr {
    /** sizeof(struct sockaddr_in). */
    public static final int SIZEOF_IN = 16;
    /** sizeof(struct sockaddr_in6). */
    public static final int SIZEOF_IN6 = 28;
    /** sizeof(struct sockaddr_storage). */
    public static final int SIZEOF_STORAGE = 128;

    private SockAddr() {
    }

    /** The address family MPSec uses for {@code address}. */
    public static int family(InetAddress address) {
        return address instanceof Inet6Address ? Syscalls.AF_INET6 : Syscalls.AF_INET;
    }

    /** Encodes {@code address} for a socket of {@code family} (IPv4 addresses become v4-mapped on AF_INET6). */
    public static byte[] encode(InetSocketAddress address, int family) {
        InetAddress ip = address.getAddress();
        int port = address.getPort();
        if (family == Syscalls.AF_INET) {
            if (!(ip instanceof Inet4Address)) {
                throw new IllegalArgumentException("IPv6 address " + ip.getHostAddress() + " on an IPv4 socket");
            }
            byte[] b = new byte[SIZEOF_IN];
            Bytes.putShortLE(b, 0, (short) Syscalls.AF_INET);
            Bytes.putShortBE(b, 2, port);
            System.arraycopy(ip.getAddress(), 0, b, 4, 4);
            return b;
        }
        byte[] b = new byte[SIZEOF_IN6];
        Bytes.putShortLE(b, 0, (short) Syscalls.AF_INET6);
        Bytes.putShortBE(b, 2, port);
        if (ip instanceof Inet4Address) {
            b[18] = (byte) 0xff;
            b[19] = (byte) 0xff;
            System.arraycopy(ip.getAddress(), 0, b, 20, 4);
        } else {
            System.arraycopy(ip.getAddress(), 0, b, 8, 16);
            Bytes.putIntLE(b, 24, ((Inet6Address) ip).getScopeId());
        }
        return b;
    }

    /** {@code ip:port}, with IPv6 addresses in brackets, for messages. */
    public static String describe(InetSocketAddress a) {
        String ip = a.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    /**
     * Decodes a sockaddr_in or sockaddr_in6 at {@code off}. {@code len} is the length the kernel
     * reported; it may exceed what the buffer holds (accept(2) and getsockname(2) report the full
     * length of a truncated address), so only {@code min(len, b.length - off)} bytes are read.
     * Returns {@code null} for other families, for an address cut short, and for an offset outside
     * the buffer.
     */
    public static InetSocketAddress decode(byte[] b, int off, int len) {
        if (off < 0 || off > b.length) {
            return null;
        }
        int n = Math.min(len, b.length - off);
        if (n < 2) {
            return null;
        }
        int family = Bytes.shortLE(b, off) & 0xffff;
        try {
            if (family == Syscalls.AF_INET && n >= 8) {
                int port = Bytes.ushortBE(b, off + 2);
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(b, off + 4, off + 8)), port);
            }
            if (family == Syscalls.AF_INET6 && n >= 24) {
                int port = Bytes.ushortBE(b, off + 2);
                byte[] raw = Arrays.copyOfRange(b, off + 8, off + 24);
                int scope = n >= 28 ? Bytes.intLE(b, off + 24) : 0;
                // InetAddress.getByAddress turns v4-mapped bytes into an Inet4Address, as the JDK reports them
                InetAddress ip = scope != 0 ? Inet6Address.getByAddress(null, raw, scope) : InetAddress.getByAddress(raw);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            // unreachable: the arrays above are exactly 4 and 16 bytes long
            throw new AssertionError("address of a fixed length rejected", e);
        }
        return null;
    }
}
