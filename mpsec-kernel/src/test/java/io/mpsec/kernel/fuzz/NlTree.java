package io.mpsec.kernel.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * A netlink datagram as a mutable tree, for structure-aware mutation: messages (header, fixed
 * family header such as genlmsghdr or xfrm_usersa_info, attributes), attributes with nested
 * attributes found by trying to parse each value as attributes. {@link #serialize()} recomputes every
 * length and records where each length field ended up, so that a mutator can make one of them lie
 * after the structure was changed.
 *
 * <p>Parsing never fails: whatever does not parse is kept as raw trailing bytes.
 */
final class NlTree {
    static final int NLMSG_HDRLEN = 16;

    /** One attribute: a leaf with a value, or nested with children. */
    static final class Attr {
        int type;
        byte[] value;
        List<Attr> kids;

        Attr(int type, byte[] value, List<Attr> kids) {
            this.type = type;
            this.value = value;
            this.kids = kids;
        }

        Attr copy() {
            List<Attr> k = null;
            if (kids != null) {
                k = new ArrayList<>();
                for (Attr a : kids) {
                    k.add(a.copy());
                }
            }
            return new Attr(type, value == null ? null : value.clone(), k);
        }
    }

    /** One message: its 16-byte header, the fixed part, attributes, then bytes that did not parse. */
    static final class Msg {
        byte[] header;
        byte[] fixed;
        List<Attr> attrs;
        byte[] rest;

        Msg copy() {
            Msg m = new Msg();
            m.header = header.clone();
            m.fixed = fixed.clone();
            m.attrs = new ArrayList<>();
            for (Attr a : attrs) {
                m.attrs.add(a.copy());
            }
            m.rest = rest.clone();
            return m;
        }

        int type() {
            return (header[4] & 0xff) | (header[5] & 0xff) << 8;
        }
    }

    /** The serialized bytes and where each length field is: {offset, width in bytes}. */
    record Serialized(byte[] bytes, List<int[]> lengthFields) {
    }

    final List<Msg> msgs = new ArrayList<>();
    byte[] trailing = new byte[0];

    /** Parses {@code b}; {@code fixedSize} gives the fixed header size after nlmsghdr for a message type. */
    static NlTree parse(byte[] b, IntUnaryOperator fixedSize) {
        NlTree t = new NlTree();
        int off = 0;
        while (b.length - off >= NLMSG_HDRLEN) {
            int len = le32(b, off);
            if (len < NLMSG_HDRLEN || len > b.length - off) {
                break;
            }
            Msg m = new Msg();
            m.header = Arrays.copyOfRange(b, off, off + NLMSG_HDRLEN);
            int fixed = Math.min(Math.max(fixedSize.applyAsInt(m.type()), 0), len - NLMSG_HDRLEN);
            m.fixed = Arrays.copyOfRange(b, off + NLMSG_HDRLEN, off + NLMSG_HDRLEN + fixed);
            int attrStart = off + NLMSG_HDRLEN + fixed;
            int end = off + len;
            m.attrs = new ArrayList<>();
            int used = parseAttrs(b, attrStart, end, m.attrs, 0);
            m.rest = Arrays.copyOfRange(b, attrStart + used, end);
            t.msgs.add(m);
            off += Math.min(align(len), b.length - off);
        }
        t.trailing = Arrays.copyOfRange(b, off, b.length);
        return t;
    }

    /** Parses attributes in [from, to) into {@code out}; returns how many bytes parsed cleanly. */
    private static int parseAttrs(byte[] b, int from, int to, List<Attr> out, int depth) {
        int off = from;
        while (to - off >= 4) {
            int len = (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
            int type = (b[off + 2] & 0xff) | (b[off + 3] & 0xff) << 8;
            if (len < 4 || len > to - off) {
                break;
            }
            byte[] v = Arrays.copyOfRange(b, off + 4, off + len);
            List<Attr> kids = null;
            if (depth < 6 && v.length >= 4) {
                List<Attr> k = new ArrayList<>();
                if (parseAttrs(v, 0, v.length, k, depth + 1) == v.length && !k.isEmpty()) {
                    kids = k;
                }
            }
            out.add(kids == null ? new Attr(type, v, null) : new Attr(type, null, kids));
            off += Math.min(align(len), to - off);
        }
        return off - from;
    }

    NlTree copy() {
        NlTree t = new NlTree();
        for (Msg m : msgs) {
            t.msgs.add(m.copy());
        }
        t.trailing = trailing.clone();
        return t;
    }

    /** Every attribute list in the tree (message level and nested), for picking a place to mutate. */
    List<List<Attr>> attrLists() {
        List<List<Attr>> out = new ArrayList<>();
        for (Msg m : msgs) {
            collect(m.attrs, out);
        }
        return out;
    }

    private static void collect(List<Attr> list, List<List<Attr>> out) {
        out.add(list);
        for (Attr a : list) {
            if (a.kids != null) {
                collect(a.kids, out);
            }
        }
    }

    /** The bytes with every length recomputed. */
    Serialized serialize() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<int[]> lens = new ArrayList<>();
        for (Msg m : msgs) {
            int start = out.size();
            out.writeBytes(m.header);
            out.writeBytes(m.fixed);
            pad(out);
            for (Attr a : m.attrs) {
                writeAttr(out, a, lens);
            }
            out.writeBytes(m.rest);
            byte[] sofar = out.toByteArray();
            int len = sofar.length - start;
            putLe32(sofar, start, len);
            lens.add(new int[] {start, 4});
            out.reset();
            out.writeBytes(sofar);
            pad(out);
        }
        out.writeBytes(trailing);
        return new Serialized(out.toByteArray(), lens);
    }

    private static void writeAttr(ByteArrayOutputStream out, Attr a, List<int[]> lens) {
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        List<int[]> innerLens = new ArrayList<>();
        if (a.kids != null) {
            for (Attr k : a.kids) {
                writeAttr(inner, k, innerLens);
            }
        } else {
            inner.writeBytes(a.value);
        }
        int len = 4 + inner.size();
        int at = out.size();
        out.write(len & 0xff);
        out.write((len >>> 8) & 0xff);
        out.write(a.type & 0xff);
        out.write((a.type >>> 8) & 0xff);
        lens.add(new int[] {at, 2});
        for (int[] l : innerLens) {
            lens.add(new int[] {at + 4 + l[0], l[1]});
        }
        out.writeBytes(inner.toByteArray());
        pad(out);
    }

    private static void pad(ByteArrayOutputStream out) {
        while (out.size() % 4 != 0) {
            out.write(0);
        }
    }

    static int align(int len) {
        return (len + 3) & ~3;
    }

    static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    static void putLe32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
