package io.mpsec.kernel.netlink;

import io.mpsec.kernel.ffi.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The decoded attributes of one message (or of one nested attribute), in wire order, with typed,
 * length-checked accessors. Every attribute is kept, including ones the caller does not know
 * ({@link #all()}, {@link #except(int...)}), so a decoded model can keep them for re-encoding.
 *
 * <p>Lookups by type ignore the NESTED and NET_BYTEORDER flags. When a type appears more than once
 * the accessors return the first; {@link #allOf(int)} returns all of them. A typed read of an
 * attribute with the wrong length throws {@link NetlinkFormatException} naming the attribute;
 * the {@code ...Or} variants return a default only when the attribute is absent.
 */
public final class AttributeReader {
    private final List<Attribute> attributes;
    private final String context;

    private AttributeReader(List<Attribute> attributes, String context) {
        this.attributes = attributes;
        this.context = context;
    }

    /** Parses {@code length} bytes of attributes starting at {@code offset}. */
    public static AttributeReader parse(byte[] buf, int offset, int length, String context) throws NetlinkFormatException {
        if (offset < 0 || length < 0 || offset > buf.length || length > buf.length - offset) {
            throw new NetlinkFormatException(context + ": attribute range " + offset + "+" + length
                    + " outside a buffer of " + buf.length + " bytes");
        }
        List<Attribute> out = new ArrayList<>();
        int off = offset;
        int end = offset + length;
        while (end - off >= Netlink.NLA_HDRLEN) {
            int len = Bytes.shortLE(buf, off) & 0xffff;
            int type = Bytes.shortLE(buf, off + 2) & 0xffff;
            if (len < Netlink.NLA_HDRLEN || len > end - off) {
                throw new NetlinkFormatException(context + ": attribute type " + (type & Netlink.NLA_TYPE_MASK)
                        + " at offset " + (off - offset) + " has nla_len " + len + " but " + (end - off) + " bytes remain");
            }
            out.add(new Attribute(type, Arrays.copyOfRange(buf, off + Netlink.NLA_HDRLEN, off + len)));
            off += Math.min(Netlink.align(len), end - off);
        }
        if (off != end) {
            throw new NetlinkFormatException(context + ": " + (end - off) + " trailing bytes after the last attribute");
        }
        return new AttributeReader(Collections.unmodifiableList(out), context);
    }

    public static AttributeReader parse(byte[] buf, String context) throws NetlinkFormatException {
        return parse(buf, 0, buf.length, context);
    }

    /** Every attribute in wire order. */
    public List<Attribute> all() {
        return attributes;
    }

    /** The attributes whose kind is not one of {@code known}: what a decoder keeps as unknown. */
    public List<Attribute> except(int... known) {
        List<Attribute> out = new ArrayList<>();
        outer:
        for (Attribute a : attributes) {
            for (int k : known) {
                if (a.kind() == k) {
                    continue outer;
                }
            }
            out.add(a);
        }
        return Collections.unmodifiableList(out);
    }

    public boolean has(int type) {
        return find(type) != null;
    }

    /** The first attribute of this kind, or {@code null}. */
    public Attribute find(int type) {
        int kind = type & Netlink.NLA_TYPE_MASK;
        for (Attribute a : attributes) {
            if (a.kind() == kind) {
                return a;
            }
        }
        return null;
    }

    public List<Attribute> allOf(int type) {
        int kind = type & Netlink.NLA_TYPE_MASK;
        List<Attribute> out = new ArrayList<>();
        for (Attribute a : attributes) {
            if (a.kind() == kind) {
                out.add(a);
            }
        }
        return out;
    }

    public byte[] bytes(int type) throws NetlinkFormatException {
        return require(type).value();
    }

    public int u8(int type) throws NetlinkFormatException {
        return sized(type, 1)[0] & 0xff;
    }

    public int u16(int type) throws NetlinkFormatException {
        return Bytes.shortLE(sized(type, 2), 0) & 0xffff;
    }

    public int u16Be(int type) throws NetlinkFormatException {
        return Bytes.ushortBE(sized(type, 2), 0);
    }

    /** An unsigned 32-bit value in host order, returned in a long so that it is never negative. */
    public long u32(int type) throws NetlinkFormatException {
        return Bytes.uintLE(sized(type, 4), 0);
    }

    public long u32Be(int type) throws NetlinkFormatException {
        byte[] b = sized(type, 4);
        return ((long) Bytes.ushortBE(b, 0) << 16) | Bytes.ushortBE(b, 2);
    }

    public int s32(int type) throws NetlinkFormatException {
        return Bytes.intLE(sized(type, 4), 0);
    }

    public long u64(int type) throws NetlinkFormatException {
        return Bytes.longLE(sized(type, 8), 0);
    }

    /** A string attribute; a trailing NUL (and anything after it) is dropped. */
    public String string(int type) throws NetlinkFormatException {
        byte[] v = require(type).value();
        int n = 0;
        while (n < v.length && v[n] != 0) {
            n++;
        }
        return new String(v, 0, n, StandardCharsets.UTF_8);
    }

    /** The attributes nested inside attribute {@code type}. */
    public AttributeReader nested(int type) throws NetlinkFormatException {
        byte[] v = require(type).value();
        return parse(v, 0, v.length, context + "/" + (type & Netlink.NLA_TYPE_MASK));
    }

    /** Parses the value of {@code a} as nested attributes. */
    public AttributeReader nested(Attribute a) throws NetlinkFormatException {
        byte[] v = a.value();
        return parse(v, 0, v.length, context + "/" + a.kind());
    }

    public int u8Or(int type, int dflt) throws NetlinkFormatException {
        return has(type) ? u8(type) : dflt;
    }

    public int u16Or(int type, int dflt) throws NetlinkFormatException {
        return has(type) ? u16(type) : dflt;
    }

    public int u16BeOr(int type, int dflt) throws NetlinkFormatException {
        return has(type) ? u16Be(type) : dflt;
    }

    public long u32Or(int type, long dflt) throws NetlinkFormatException {
        return has(type) ? u32(type) : dflt;
    }

    public int s32Or(int type, int dflt) throws NetlinkFormatException {
        return has(type) ? s32(type) : dflt;
    }

    public String stringOr(int type, String dflt) throws NetlinkFormatException {
        return has(type) ? string(type) : dflt;
    }

    private Attribute require(int type) throws NetlinkFormatException {
        Attribute a = find(type);
        if (a == null) {
            throw new NetlinkFormatException(context + ": required attribute " + (type & Netlink.NLA_TYPE_MASK) + " is missing");
        }
        return a;
    }

    private byte[] sized(int type, int size) throws NetlinkFormatException {
        Attribute a = require(type);
        if (a.length() != size) {
            throw new NetlinkFormatException(context + ": attribute " + a.kind() + " has " + a.length()
                    + " bytes, expected " + size);
        }
        return a.value();
    }

    /** The context and each attribute's type and length; never values (they may be keys). */
    @Override
    public String toString() {
        return context + attributes;
    }

    /** As {@link #toString()} with every value as hex, for debugging tests; never log it for xfrm. */
    public String hexDump() {
        StringBuilder b = new StringBuilder(context).append('[');
        for (int i = 0; i < attributes.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(attributes.get(i).hexDump());
        }
        return b.append(']').toString();
    }
}
