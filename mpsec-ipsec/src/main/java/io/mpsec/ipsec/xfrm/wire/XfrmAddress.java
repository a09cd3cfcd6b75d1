package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * {@code xfrm_address_t}: 16 bytes in network byte order; an IPv4 address fills the first 4.
 *
 * <pre>
 * typedef union {
 *     __be32          a4;
 *     __be32          a6[4];
 *     struct in6_addr in6;
 * } xfrm_address_t;
 * </pre>
 */
public final class XfrmAddress {
    /** {@code sizeof(xfrm_address_t)}. */
    public static final int SIZEOF = 16;
    /** The all-zero address (any). */
    public static final XfrmAddress ANY = new XfrmAddress(new byte[SIZEOF]);

    private final byte[] bytes;

    private XfrmAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The address of {@code a} (IPv4 in the first 4 bytes, the rest zero). */
    public static XfrmAddress of(InetAddress a) {
        byte[] b = new byte[SIZEOF];
        byte[] raw = a.getAddress();
        System.arraycopy(raw, 0, b, 0, raw.length);
        return new XfrmAddress(b);
    }

    /** Reads 16 bytes at {@code offset}. */
    public static XfrmAddress read(ByteBuffer buf, int offset) throws NetlinkFormatException {
        Structs.requireRemaining(buf, offset, SIZEOF, "xfrm_address_t");
        byte[] b = new byte[SIZEOF];
        buf.get(offset, b);
        return new XfrmAddress(b);
    }

    /** Writes the 16 bytes at {@code offset}. */
    public void write(ByteBuffer buf, int offset) {
        buf.put(offset, bytes);
    }

    /**
     * The address for {@code family} ({@link Xfrm#AF_INET} or {@link Xfrm#AF_INET6}; an
     * {@link Inet6Address} for AF_INET6 even when v4-mapped). Decoders check the family first: any
     * other value is a programming error ({@link IllegalArgumentException}).
     */
    public InetAddress toInet(int family) {
        try {
            if (family == Xfrm.AF_INET) {
                return (Inet4Address) InetAddress.getByAddress(Arrays.copyOf(bytes, 4));
            }
            if (family == Xfrm.AF_INET6) {
                // not InetAddress.getByAddress: it turns a v4-mapped ::ffff:a.b.c.d into an Inet4Address,
                // and an IPv6 SA or selector must stay IPv6 whatever its address
                return Inet6Address.getByAddress(null, bytes.clone(), (java.net.NetworkInterface) null);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalArgumentException("unsupported address family " + family + " (expected AF_INET 2 or AF_INET6 10)");
    }

    /** True when all 16 bytes are zero. */
    public boolean isAny() {
        return Arrays.equals(bytes, ANY.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XfrmAddress && Arrays.equals(bytes, ((XfrmAddress) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
