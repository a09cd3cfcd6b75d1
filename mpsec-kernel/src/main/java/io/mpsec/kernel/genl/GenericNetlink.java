package io.mpsec.kernel.genl;

import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.netlink.Attribute;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Resolves generic netlink families and their multicast groups through the controller (CTRL_CMD_GETFAMILY). */
public final class GenericNetlink {
    private GenericNetlink() {
    }

    /** The CTRL_CMD_GETFAMILY request for {@code name}, as {@code genl ctrl get name NAME} sends it. */
    public static NetlinkMessage getFamilyRequest(String name) {
        AttributeWriter w = GenlMessage.writer(Genl.CTRL_CMD_GETFAMILY, 0).string(Genl.CTRL_ATTR_FAMILY_NAME, name);
        return GenlMessage.request(Genl.GENL_ID_CTRL, 0, w);
    }

    /**
     * Looks up family {@code name}.
     *
     * @throws GenlFamilyNotFoundException when the kernel has no such family (module not loaded,
     *     feature not built); the message names the family
     */
    public static GenlFamily resolve(NetlinkConnection conn, String name) throws IOException {
        NetlinkMessage reply;
        try {
            reply = conn.requestOne("genl CTRL_CMD_GETFAMILY " + name, getFamilyRequest(name));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new GenlFamilyNotFoundException(name, e);
            }
            throw e;
        }
        return decodeFamily(reply);
    }

    /** Decodes a CTRL_CMD_NEWFAMILY reply. */
    public static GenlFamily decodeFamily(NetlinkMessage reply) throws IOException {
        AttributeReader a = GenlMessage.decode(reply).reader("genl family");
        String name = a.string(Genl.CTRL_ATTR_FAMILY_NAME);
        int id = a.u16(Genl.CTRL_ATTR_FAMILY_ID);
        int version = (int) a.u32Or(Genl.CTRL_ATTR_VERSION, 0);
        int maxAttr = (int) a.u32Or(Genl.CTRL_ATTR_MAXATTR, 0);
        Set<Integer> ops = new HashSet<>();
        if (a.has(Genl.CTRL_ATTR_OPS)) {
            for (Attribute op : a.nested(Genl.CTRL_ATTR_OPS).all()) {
                ops.add((int) a.nested(op).u32(Genl.CTRL_ATTR_OP_ID));
            }
        }
        Map<String, Integer> groups = new HashMap<>();
        if (a.has(Genl.CTRL_ATTR_MCAST_GROUPS)) {
            for (Attribute g : a.nested(Genl.CTRL_ATTR_MCAST_GROUPS).all()) {
                AttributeReader ga = a.nested(g);
                groups.put(ga.string(Genl.CTRL_ATTR_MCAST_GRP_NAME), (int) ga.u32(Genl.CTRL_ATTR_MCAST_GRP_ID));
            }
        }
        return new GenlFamily(name, id, version, maxAttr, ops, groups);
    }

    /** Encodes a CTRL_CMD_NEWFAMILY reply payload (used by fake kernels and tests). */
    public static byte[] encodeFamily(GenlFamily f) {
        AttributeWriter w = GenlMessage.writer(Genl.CTRL_CMD_NEWFAMILY, 2)
                .string(Genl.CTRL_ATTR_FAMILY_NAME, f.name())
                .u16(Genl.CTRL_ATTR_FAMILY_ID, f.id())
                .u32(Genl.CTRL_ATTR_VERSION, f.version())
                .u32(Genl.CTRL_ATTR_HDRSIZE, 0)
                .u32(Genl.CTRL_ATTR_MAXATTR, f.maxAttr());
        int ops = w.beginNested(Genl.CTRL_ATTR_OPS);
        int i = 1;
        for (int op : new java.util.TreeSet<>(f.ops())) {
            int n = w.beginNested(i++);
            w.u32(Genl.CTRL_ATTR_OP_ID, op).u32(Genl.CTRL_ATTR_OP_FLAGS, 0);
            w.endNested(n);
        }
        w.endNested(ops);
        int groups = w.beginNested(Genl.CTRL_ATTR_MCAST_GROUPS);
        i = 1;
        for (Map.Entry<String, Integer> g : new java.util.TreeMap<>(f.groups()).entrySet()) {
            int n = w.beginNested(i++);
            w.u32(Genl.CTRL_ATTR_MCAST_GRP_ID, g.getValue()).string(Genl.CTRL_ATTR_MCAST_GRP_NAME, g.getKey());
            w.endNested(n);
        }
        w.endNested(groups);
        return w.toByteArray();
    }
}
