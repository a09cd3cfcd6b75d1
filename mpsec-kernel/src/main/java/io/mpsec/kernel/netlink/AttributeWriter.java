package io.mpsec.kernel.netlink;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds a sequence of netlink attributes. All multi-byte integers are written in host byte order
 * (little-endian on the platforms MPSec supports) unless the method name ends in {@code Be}
 * (network byte order, used for ports and SPIs). Every attribute is padded to 4 bytes, as the kernel
 * and iproute2 do.
 *
 * <p>Nested attributes: {@link #beginNested(int)} returns a token that {@link #endNested(int)}
 * takes to fill in the length; or use {@link #nested(int, java.util.function.Consumer)}.
 * The caller decides whether to OR {@link Netlink#NLA_F_NESTED} into the type (generic netlink
 * families with strict validation require it; xfrm does not use it).
 *
 * <p>Not thread-safe; one writer builds one message.
 */
public final class AttributeWriter {
    private byte[] buf = new byte[64];
    private int len;
    private int openNests;

    /** Appends raw bytes (a fixed struct header such as {@code genlmsghdr}) without an attribute header. */
    public AttributeWriter raw(byte[] bytes) {
        ensure(Netlink.align(bytes.length));
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += Netlink.align(bytes.length);
        return this;
    }

    public AttributeWriter bytes(int type, byte[] value) {
        if (value.length > 0xffff - Netlink.NLA_HDRLEN) {
            throw new IllegalArgumentException("attribute " + type + " value of " + value.length + " bytes is too long");
        }
        checkType(type);
        int total = Netlink.NLA_HDRLEN + value.length;
        ensure(Netlink.align(total));
        putShort(len, total);
        putShort(len + 2, type);
        System.arraycopy(value, 0, buf, len + Netlink.NLA_HDRLEN, value.length);
        len += Netlink.align(total);
        return this;
    }

    /** Appends an attribute as decoded elsewhere (unknown attributes round-trip unchanged). */
    public AttributeWriter attribute(Attribute a) {
        return bytes(a.type(), a.value());
    }

    /** A zero-length attribute whose presence is the value (NLA_FLAG). */
    public AttributeWriter flag(int type) {
        return bytes(type, new byte[0]);
    }

    public AttributeWriter u8(int type, int value) {
        return bytes(type, new byte[] {(byte) value});
    }

    public AttributeWriter u16(int type, int value) {
        return bytes(type, new byte[] {(byte) value, (byte) (value >>> 8)});
    }

    public AttributeWriter u16Be(int type, int value) {
        return bytes(type, new byte[] {(byte) (value >>> 8), (byte) value});
    }

    public AttributeWriter u32(int type, int value) {
        return bytes(type, le(value, 4));
    }

    public AttributeWriter u32Be(int type, int value) {
        return bytes(type, new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    public AttributeWriter s32(int type, int value) {
        return u32(type, value);
    }

    public AttributeWriter u64(int type, long value) {
        return bytes(type, le(value, 8));
    }

    /** A NUL-terminated UTF-8 string (NLA_NUL_STRING / NLA_STRING as iproute2 sends them). */
    public AttributeWriter string(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        return bytes(type, Arrays.copyOf(s, s.length + 1));
    }

    /** Starts a nested attribute; returns the token for {@link #endNested(int)}. */
    public int beginNested(int type) {
        checkType(type);
        ensure(Netlink.NLA_HDRLEN);
        int start = len;
        putShort(len + 2, type);
        len += Netlink.NLA_HDRLEN;
        openNests++;
        return start;
    }

    /** Closes the nested attribute started at {@code token}. */
    public AttributeWriter endNested(int token) {
        if (openNests == 0 || token < 0 || token + Netlink.NLA_HDRLEN > len) {
            throw new IllegalStateException("endNested(" + token + ") without a matching beginNested");
        }
        int total = len - token;
        if (total > 0xffff) {
            throw new IllegalStateException("nested attribute of " + total + " bytes exceeds the 16-bit nla_len");
        }
        putShort(token, total);
        openNests--;
        return this;
    }

    /** Writes a nested attribute whose content {@code body} writes. */
    public AttributeWriter nested(int type, java.util.function.Consumer<AttributeWriter> body) {
        int token = beginNested(type);
        body.accept(this);
        return endNested(token);
    }

    /** Bytes written so far. */
    public int length() {
        return len;
    }

    /** The encoded attributes. */
    public byte[] toByteArray() {
        if (openNests != 0) {
            throw new IllegalStateException(openNests + " nested attribute(s) not closed");
        }
        return Arrays.copyOf(buf, len);
    }

    private static void checkType(int type) {
        if (type < 0 || type > 0xffff) {
            throw new IllegalArgumentException("attribute type out of range: " + type);
        }
    }

    private static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    private void putShort(int off, int v) {
        buf[off] = (byte) v;
        buf[off + 1] = (byte) (v >>> 8);
    }

    /**
     * Overwrites everything written with zeros, for messages that carried key material (call after
     * {@link #toByteArray()}). Buffers outgrown while writing are zeroed as they are replaced.
     */
    public void wipe() {
        Arrays.fill(buf, (byte) 0);
        len = 0;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            byte[] old = buf;
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
            Arrays.fill(old, (byte) 0);
        }
    }
}
