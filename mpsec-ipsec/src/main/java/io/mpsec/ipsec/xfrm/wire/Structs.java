package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Byte helpers shared by the wire structs: host order for {@code __u*}, network order for {@code __be*}. */
final class Structs {
    private Structs() {
    }

    /** A zeroed buffer of {@code size} bytes in host byte order. */
    static ByteBuffer allocate(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    /** A host-order view of {@code bytes} (no copy). */
    static ByteBuffer wrap(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    /**
     * Checks that {@code size} bytes of {@code struct} are there at {@code offset}; a shorter buffer
     * (a truncated or corrupt message) is a {@link NetlinkFormatException} naming the struct.
     */
    static void requireRemaining(ByteBuffer buf, int offset, long size, String struct) throws NetlinkFormatException {
        if (offset < 0 || size < 0 || offset > buf.limit() || buf.limit() - offset < size) {
            throw new NetlinkFormatException(struct + " needs " + size + " bytes at offset " + offset + ", only "
                    + Math.max(0, buf.limit() - offset) + " available");
        }
    }

    static void putBe16(ByteBuffer buf, int offset, int v) {
        buf.put(offset, (byte) (v >>> 8));
        buf.put(offset + 1, (byte) v);
    }

    static int getBe16(ByteBuffer buf, int offset) {
        return (buf.get(offset) & 0xff) << 8 | (buf.get(offset + 1) & 0xff);
    }

    static void putBe32(ByteBuffer buf, int offset, long v) {
        buf.put(offset, (byte) (v >>> 24));
        buf.put(offset + 1, (byte) (v >>> 16));
        buf.put(offset + 2, (byte) (v >>> 8));
        buf.put(offset + 3, (byte) v);
    }

    static long getBe32(ByteBuffer buf, int offset) {
        return ((buf.get(offset) & 0xffL) << 24) | ((buf.get(offset + 1) & 0xffL) << 16)
                | ((buf.get(offset + 2) & 0xffL) << 8) | (buf.get(offset + 3) & 0xffL);
    }

    static void putU32(ByteBuffer buf, int offset, long v) {
        buf.putInt(offset, (int) v);
    }

    static long getU32(ByteBuffer buf, int offset) {
        return buf.getInt(offset) & 0xffffffffL;
    }

    static int getU16(ByteBuffer buf, int offset) {
        return buf.getShort(offset) & 0xffff;
    }

    static int getU8(ByteBuffer buf, int offset) {
        return buf.get(offset) & 0xff;
    }

    /** Writes a NUL-padded C string into a fixed {@code char[len]} field. */
    static void putCString(ByteBuffer buf, int offset, String s, int len) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (b.length >= len) {
            throw new IllegalArgumentException("'" + s + "' does not fit in char[" + len + "] with its NUL");
        }
        buf.put(offset, b);
    }

    static String getCString(ByteBuffer buf, int offset, int len) {
        int n = 0;
        while (n < len && buf.get(offset + n) != 0) {
            n++;
        }
        byte[] b = new byte[n];
        buf.get(offset, b);
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
