package io.mpsec.kernel.netlink;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One netlink attribute ({@code struct nlattr}: u16 nla_len, u16 nla_type, then the value) kept as
 * raw bytes. Decoders keep attributes they do not know as {@code Attribute}s so that re-encoding a
 * decoded message loses nothing.
 *
 * <p>{@link #type()} is the full 16-bit type field including {@link Netlink#NLA_F_NESTED} and
 * {@link Netlink#NLA_F_NET_BYTEORDER}; {@link #kind()} masks them off.
 */
public final class Attribute {
    private final int type;
    private final byte[] value;

    public Attribute(int type, byte[] value) {
        if (type < 0 || type > 0xffff) {
            throw new IllegalArgumentException("nla_type out of range: " + type);
        }
        if (value.length > 0xffff - Netlink.NLA_HDRLEN) {
            throw new IllegalArgumentException("attribute value of " + value.length + " bytes exceeds the 16-bit nla_len");
        }
        this.type = type;
        this.value = value.clone();
    }

    /** The type field as sent, flags included. */
    public int type() {
        return type;
    }

    /** The type without the NESTED and NET_BYTEORDER flags. */
    public int kind() {
        return type & Netlink.NLA_TYPE_MASK;
    }

    public boolean nested() {
        return (type & Netlink.NLA_F_NESTED) != 0;
    }

    public byte[] value() {
        return value.clone();
    }

    public int length() {
        return value.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Attribute && ((Attribute) o).type == type && Arrays.equals(((Attribute) o).value, value);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(value);
    }

    /**
     * Type and length only, never the value: attribute values can be secrets (xfrm keys), and
     * toString ends up in logs and assertion messages. Use {@link #hexDump()} to see the bytes.
     */
    @Override
    public String toString() {
        return "Attribute[type=" + kind() + (nested() ? "|NESTED" : "") + ", " + value.length + " bytes]";
    }

    /** Type and value as hex, for debugging tests; do not log this for attributes that may carry keys. */
    public String hexDump() {
        return "Attribute[type=" + kind() + (nested() ? "|NESTED" : "") + ", " + HexFormat.of().formatHex(value) + "]";
    }
}
