package io.mpsec.kernel.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutates real messages into the inputs a decoder must survive. For netlink input it works on the
 * structure ({@link NlTree}): attributes duplicated, removed, spliced in from another seed, swapped,
 * retyped, resized, nested attributes whose lengths lie, fixed-header fields set to boundary values,
 * whole messages duplicated or dropped; then on the bytes: bit flips, boundary values, a length field
 * (nlmsg_len or any nla_len, at any depth) set to a lie, truncation, random insertions and deletions.
 * Raw inputs (structs, frames) get the byte-level mutations, biased to the first bytes, where the
 * headers are.
 *
 * <p>Deterministic for a given {@link SplittableRandom}: a failing case reproduces from its seed.
 */
public final class Mutator {
    /** Values at the edges of every integer width, where length and range checks go wrong. */
    private static final long[] INTERESTING = {0, 1, 2, 3, 4, 7, 8, 10, 15, 16, 17, 31, 32, 33, 50, 51, 63, 64, 100, 108,
        127, 128, 255, 256, 0x3fff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffffL, 0x80000000L, 0xffffffffL, -1L,
        Long.MAX_VALUE, Long.MIN_VALUE};

    private final SplittableRandom rnd;

    public Mutator(SplittableRandom rnd) {
        this.rnd = rnd;
    }

    /**
     * One mutated input from {@code seed}; {@code fixedSize} is the fixed header size after nlmsghdr
     * for a message type, or {@code null} for raw (non-netlink) input; {@code donors} are other seeds to
     * splice from.
     */
    public byte[] mutate(byte[] seed, java.util.function.IntUnaryOperator fixedSize, List<byte[]> donors) {
        byte[] out;
        if (fixedSize != null && rnd.nextInt(10) < 7) {
            NlTree t = NlTree.parse(seed, fixedSize);
            int n = 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(4) : 0);
            for (int i = 0; i < n; i++) {
                structural(t, donors, fixedSize);
            }
            NlTree.Serialized s = t.serialize();
            out = s.bytes();
            if (rnd.nextInt(3) == 0 && !s.lengthFields().isEmpty()) {
                lie(out, s.lengthFields().get(rnd.nextInt(s.lengthFields().size())));
            }
            if (rnd.nextInt(4) == 0) {
                out = raw(out, donors);
            }
        } else {
            out = seed.clone();
            int n = 1 + (rnd.nextInt(3) == 0 ? rnd.nextInt(5) : 0);
            for (int i = 0; i < n; i++) {
                out = raw(out, donors);
            }
        }
        return out;
    }

    private void structural(NlTree t, List<byte[]> donors, java.util.function.IntUnaryOperator fixedSize) {
        if (t.msgs.isEmpty()) {
            return;
        }
        List<List<NlTree.Attr>> lists = t.attrLists();
        List<NlTree.Attr> list = lists.get(rnd.nextInt(lists.size()));
        NlTree.Msg msg = t.msgs.get(rnd.nextInt(t.msgs.size()));
        switch (rnd.nextInt(12)) {
            case 0: // remove an attribute
                if (!list.isEmpty()) {
                    list.remove(rnd.nextInt(list.size()));
                }
                break;
            case 1: // duplicate an attribute
                if (!list.isEmpty()) {
                    list.add(rnd.nextInt(list.size() + 1), list.get(rnd.nextInt(list.size())).copy());
                }
                break;
            case 2: // splice in an attribute from another seed
                NlTree donor = NlTree.parse(donors.get(rnd.nextInt(donors.size())), fixedSize);
                List<List<NlTree.Attr>> dl = donor.attrLists();
                List<NlTree.Attr> from = dl.isEmpty() ? List.of() : dl.get(rnd.nextInt(dl.size()));
                if (!from.isEmpty()) {
                    list.add(rnd.nextInt(list.size() + 1), from.get(rnd.nextInt(from.size())).copy());
                }
                break;
            case 3: // swap two attributes
                if (list.size() > 1) {
                    java.util.Collections.swap(list, rnd.nextInt(list.size()), rnd.nextInt(list.size()));
                }
                break;
            case 4: // retype: a neighbour, a small type, the NESTED / NET_BYTEORDER flags
                if (!list.isEmpty()) {
                    NlTree.Attr a = list.get(rnd.nextInt(list.size()));
                    int r = rnd.nextInt(4);
                    a.type = r == 0 ? a.type + (rnd.nextBoolean() ? 1 : -1) & 0xffff
                            : r == 1 ? rnd.nextInt(40) : r == 2 ? a.type ^ 0x8000 : a.type ^ 0x4000;
                }
                break;
            case 5: // resize a leaf value: too short, too long
                NlTree.Attr leaf = leaf(list);
                if (leaf != null) {
                    int len = rnd.nextBoolean() ? rnd.nextInt(leaf.value.length + 1) : leaf.value.length + 1 + rnd.nextInt(16);
                    byte[] v = Arrays.copyOf(leaf.value, len);
                    for (int i = leaf.value.length; i < len; i++) {
                        v[i] = (byte) rnd.nextInt(256);
                    }
                    leaf.value = v;
                }
                break;
            case 6: // boundary value inside a leaf value
                NlTree.Attr l = leaf(list);
                if (l != null && l.value.length > 0) {
                    interesting(l.value, rnd.nextInt(l.value.length));
                }
                break;
            case 7: // a new attribute, leaf or nested
                byte[] v = new byte[rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(24)];
                rnd.nextBytes(v);
                NlTree.Attr a = new NlTree.Attr(rnd.nextInt(40), v, null);
                if (rnd.nextInt(3) == 0 && !list.isEmpty()) {
                    a = new NlTree.Attr(rnd.nextInt(40) | 0x8000, null, new java.util.ArrayList<>(List.of(list.get(0).copy())));
                }
                list.add(rnd.nextInt(list.size() + 1), a);
                break;
            case 8: // boundary value in the fixed header (family, mode, proto, direction, lengths...)
            case 9:
                if (msg.fixed.length > 0) {
                    interesting(msg.fixed, rnd.nextInt(msg.fixed.length));
                }
                break;
            case 10: // duplicate or drop a message, or change its type or flags
                int r = rnd.nextInt(4);
                if (r == 0) {
                    t.msgs.add(rnd.nextInt(t.msgs.size() + 1), msg.copy());
                } else if (r == 1 && t.msgs.size() > 1) {
                    t.msgs.remove(msg);
                } else {
                    interesting(msg.header, r == 2 ? 4 : 6);
                }
                break;
            default: // bytes in the fixed header or the unparsed rest
                if (msg.fixed.length > 0) {
                    msg.fixed[rnd.nextInt(msg.fixed.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                break;
        }
    }

    private NlTree.Attr leaf(List<NlTree.Attr> list) {
        for (int tries = 0; tries < 4 && !list.isEmpty(); tries++) {
            NlTree.Attr a = list.get(rnd.nextInt(list.size()));
            if (a.kids == null) {
                return a;
            }
            list = a.kids;
        }
        return null;
    }

    /** Sets length field {@code f} ({offset, width}) to a lie. */
    private void lie(byte[] b, int[] f) {
        int off = f[0];
        int width = f[1];
        if (off + width > b.length) {
            return;
        }
        int cur = width == 2 ? (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 : NlTree.le32(b, off);
        long v;
        switch (rnd.nextInt(6)) {
            case 0: v = cur + 1 + rnd.nextInt(8); break;
            case 1: v = cur - 1 - rnd.nextInt(8); break;
            case 2: v = rnd.nextInt(8); break;
            case 3: v = width == 2 ? 0xffff : 0xffffffffL; break;
            case 4: v = INTERESTING[rnd.nextInt(INTERESTING.length)]; break;
            default: v = rnd.nextLong(); break;
        }
        put(b, off, width, v);
    }

    /** One byte-level mutation; may return a new array (other length). */
    byte[] raw(byte[] b, List<byte[]> donors) {
        int r = rnd.nextInt(10);
        if (b.length == 0 && r < 6) {
            r = 6;
        }
        switch (r) {
            case 0: case 1: { // bit flips
                int n = 1 + rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    b[offset(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            }
            case 2: case 3: // boundary value at an offset
                interesting(b, offset(b.length));
                return b;
            case 4: // truncation
                return Arrays.copyOf(b, rnd.nextInt(b.length + 1));
            case 5: { // delete a range
                int at = rnd.nextInt(b.length);
                int n = 1 + rnd.nextInt(Math.min(16, b.length - at));
                byte[] out = new byte[b.length - n];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + n, out, at, b.length - at - n);
                return out;
            }
            case 6: case 7: { // insert random bytes, or 4 (a tag, a header word)
                int n = rnd.nextBoolean() ? 4 : 1 + rnd.nextInt(32);
                byte[] ins = new byte[n];
                rnd.nextBytes(ins);
                return insert(b, rnd.nextInt(b.length + 1), ins);
            }
            case 8: { // splice a chunk of another seed in
                byte[] d = donors.get(rnd.nextInt(donors.size()));
                if (d.length == 0) {
                    return b;
                }
                int from = rnd.nextInt(d.length);
                int n = 1 + rnd.nextInt(Math.min(64, d.length - from));
                return insert(b, rnd.nextInt(b.length + 1), Arrays.copyOfRange(d, from, from + n));
            }
            default: // append garbage or extend with zeros
                byte[] out = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(64));
                if (rnd.nextBoolean()) {
                    for (int i = b.length; i < out.length; i++) {
                        out[i] = (byte) rnd.nextInt(256);
                    }
                }
                return out;
        }
    }

    /** An offset, most often within the first 64 bytes (headers). */
    private int offset(int len) {
        return rnd.nextInt(3) > 0 ? rnd.nextInt(Math.min(len, 64)) : rnd.nextInt(len);
    }

    private void interesting(byte[] b, int off) {
        int width = new int[] {1, 1, 2, 2, 4, 4, 8}[rnd.nextInt(7)];
        width = Math.min(width, b.length - off);
        long v = INTERESTING[rnd.nextInt(INTERESTING.length)];
        if (rnd.nextInt(4) == 0) {
            v = rnd.nextLong();
        }
        put(b, off, width, rnd.nextInt(4) == 0 ? Long.reverseBytes(v) >> (64 - 8 * width) : v);
    }

    private static void put(byte[] b, int off, int width, long v) {
        for (int i = 0; i < width && off + i < b.length; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    private static byte[] insert(byte[] b, int at, byte[] ins) {
        byte[] out = new byte[b.length + ins.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(ins, 0, out, at, ins.length);
        System.arraycopy(b, at, out, at + ins.length, b.length - at);
        return out;
    }
}
