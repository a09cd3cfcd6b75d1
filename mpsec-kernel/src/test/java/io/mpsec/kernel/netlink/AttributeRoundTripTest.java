package io.mpsec.kernel.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Property: decode(encode(x)) == x for random attribute trees, and typed reads check lengths. */
class AttributeRoundTripTest {
    private static final long SEED = 0x6d707365L;

    /** A random attribute tree node: either a leaf (type, value) or a nested list. */
    private record Node(int type, byte[] value, List<Node> children) {
    }

    private static List<Node> randomTree(Random r, int depth) {
        int n = r.nextInt(6);
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int type = 1 + r.nextInt(0x3fff);
            if (depth < 3 && r.nextInt(4) == 0) {
                out.add(new Node(type | Netlink.NLA_F_NESTED, null, randomTree(r, depth + 1)));
            } else {
                byte[] v = new byte[r.nextInt(3) == 0 ? r.nextInt(300) : r.nextInt(9)];
                r.nextBytes(v);
                out.add(new Node(type, v, null));
            }
        }
        return out;
    }

    private static void write(AttributeWriter w, List<Node> nodes) {
        for (Node n : nodes) {
            if (n.children() != null) {
                int t = w.beginNested(n.type());
                write(w, n.children());
                w.endNested(t);
            } else {
                w.bytes(n.type(), n.value());
            }
        }
    }

    private static void check(AttributeReader r, List<Node> nodes) throws Exception {
        assertThat(r.all()).hasSize(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            Attribute a = r.all().get(i);
            Node n = nodes.get(i);
            assertThat(a.type()).isEqualTo(n.type());
            if (n.children() != null) {
                assertThat(a.nested()).isTrue();
                check(r.nested(a), n.children());
            } else {
                assertThat(a.value()).isEqualTo(n.value());
            }
        }
    }

    @Test
    void randomTreesRoundTrip() throws Exception {
        Random r = new Random(SEED);
        for (int i = 0; i < 2000; i++) {
            List<Node> tree = randomTree(r, 0);
            AttributeWriter w = new AttributeWriter();
            write(w, tree);
            byte[] bytes = w.toByteArray();
            assertThat(bytes.length % 4).isZero();
            AttributeReader reader = AttributeReader.parse(bytes, "prop");
            check(reader, tree);
            // Re-encoding the decoded (unknown, raw) attributes gives the same bytes.
            AttributeWriter again = new AttributeWriter();
            reader.all().forEach(again::attribute);
            assertThat(again.toByteArray()).isEqualTo(bytes);
        }
    }

    @Test
    void typedValuesRoundTrip() throws Exception {
        Random r = new Random(SEED + 1);
        for (int i = 0; i < 1000; i++) {
            int u8 = r.nextInt(256);
            int u16 = r.nextInt(65536);
            int u32 = r.nextInt();
            long u64 = r.nextLong();
            String s = Long.toString(r.nextLong(), 36);
            byte[] bytes = new AttributeWriter().u8(1, u8).u16(2, u16).u32(3, u32).u64(4, u64).string(5, s)
                    .u16Be(6, u16).u32Be(7, u32).s32(8, u32).flag(9).toByteArray();
            AttributeReader a = AttributeReader.parse(bytes, "typed");
            assertThat(a.u8(1)).isEqualTo(u8);
            assertThat(a.u16(2)).isEqualTo(u16);
            assertThat(a.u32(3)).isEqualTo(Integer.toUnsignedLong(u32));
            assertThat(a.u64(4)).isEqualTo(u64);
            assertThat(a.string(5)).isEqualTo(s);
            assertThat(a.u16Be(6)).isEqualTo(u16);
            assertThat(a.u32Be(7)).isEqualTo(Integer.toUnsignedLong(u32));
            assertThat(a.s32(8)).isEqualTo(u32);
            assertThat(a.has(9)).isTrue();
            assertThat(a.find(9).length()).isZero();
        }
    }

    @Test
    void byteOrderIsExplicit() {
        assertThat(new AttributeWriter().u16(1, 0x1234).toByteArray())
                .containsExactly(6, 0, 1, 0, 0x34, 0x12, 0, 0);
        assertThat(new AttributeWriter().u16Be(1, 0x1234).toByteArray())
                .containsExactly(6, 0, 1, 0, 0x12, 0x34, 0, 0);
    }

    @Test
    void typedReadOfWrongLengthNamesTheAttribute() throws Exception {
        AttributeReader a = AttributeReader.parse(new AttributeWriter().u16(7, 1).toByteArray(), "ctx");
        assertThatThrownBy(() -> a.u32(7)).isInstanceOf(NetlinkFormatException.class)
                .hasMessageContaining("ctx: attribute 7 has 2 bytes, expected 4");
        assertThatThrownBy(() -> a.u8(8)).isInstanceOf(NetlinkFormatException.class)
                .hasMessageContaining("required attribute 8 is missing");
        assertThat(a.u32Or(8, 99)).isEqualTo(99);
    }

    @Test
    void truncatedAttributeIsRejected() {
        byte[] b = new AttributeWriter().u32(1, 5).toByteArray();
        b[0] = 12; // nla_len points past the buffer
        assertThatThrownBy(() -> AttributeReader.parse(b, "t")).isInstanceOf(NetlinkFormatException.class)
                .hasMessageContaining("nla_len 12");
        byte[] c = new AttributeWriter().u32(1, 5).toByteArray();
        c[0] = 2; // shorter than the header
        assertThatThrownBy(() -> AttributeReader.parse(c, "t")).isInstanceOf(NetlinkFormatException.class);
    }

    @Test
    void unknownAttributesAreKept() throws Exception {
        byte[] b = new AttributeWriter().u8(1, 1).bytes(77, new byte[] {9, 8, 7}).u8(2, 2).toByteArray();
        AttributeReader a = AttributeReader.parse(b, "t");
        assertThat(a.except(1, 2)).containsExactly(new Attribute(77, new byte[] {9, 8, 7}));
    }

    @Test
    void unclosedNestIsAnError() {
        AttributeWriter w = new AttributeWriter();
        w.beginNested(1);
        assertThatThrownBy(w::toByteArray).isInstanceOf(IllegalStateException.class);
    }
}
