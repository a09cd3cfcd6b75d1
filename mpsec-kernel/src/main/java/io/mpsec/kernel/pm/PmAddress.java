package io.mpsec.kernel.pm;

import static io.mpsec.kernel.pm.MptcpPmUapi.*;

import io.mpsec.kernel.netlink.Attribute;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The wire form of the nested {@code MPTCP_PM_ATTR_ADDR} / {@code MPTCP_PM_ATTR_ADDR_REMOTE}
 * attribute (enum mptcp_pm_addr_attrs, include/uapi/linux/mptcp_pm.h). Every field is optional:
 * absent values are {@link #ABSENT} (or {@code null} for the address) and are not encoded.
 *
 * <p>Attribute order is iproute2's (ip/ipmptcp.c): ID, FLAGS, IF_IDX, PORT, FAMILY, ADDR4/ADDR6, so
 * requests compare byte for byte with captures. {@code PORT} is in host byte order.
 *
 * @param unknown attributes the decoder did not know, kept for re-encoding
 */
public record PmAddress(int id, InetAddress address, int port, int flags, int ifIndex, List<Attribute> unknown) {
    public static final int ABSENT = -1;

    public PmAddress {
        unknown = List.copyOf(unknown);
    }

    public PmAddress(int id, InetAddress address, int port, int flags, int ifIndex) {
        this(id, address, port, flags, ifIndex, List.of());
    }

    /** Only an id (delete, get, set-flags by id). */
    public static PmAddress ofId(int id) {
        return new PmAddress(id, null, ABSENT, ABSENT, ABSENT);
    }

    /** An address with optional port ({@link #ABSENT} for none). */
    public static PmAddress of(InetAddress address, int port) {
        return new PmAddress(ABSENT, address, port, ABSENT, ABSENT);
    }

    public PmAddress withId(int newId) {
        return new PmAddress(newId, address, port, flags, ifIndex, unknown);
    }

    public PmAddress withFlags(int newFlags) {
        return new PmAddress(id, address, port, newFlags, ifIndex, unknown);
    }

    /** Writes this address as nested attribute {@code type} (NLA_F_NESTED set, as the kernel's strict policy requires). */
    public void write(AttributeWriter w, int type) {
        int nest = w.beginNested(type | Netlink.NLA_F_NESTED);
        if (id != ABSENT) {
            w.u8(ADDR_ATTR_ID, id);
        }
        if (flags != ABSENT) {
            w.u32(ADDR_ATTR_FLAGS, flags);
        }
        if (ifIndex != ABSENT) {
            w.s32(ADDR_ATTR_IF_IDX, ifIndex);
        }
        if (port != ABSENT) {
            w.u16(ADDR_ATTR_PORT, port);
        }
        if (address != null) {
            if (address instanceof Inet4Address) {
                w.u16(ADDR_ATTR_FAMILY, AF_INET).bytes(ADDR_ATTR_ADDR4, address.getAddress());
            } else {
                w.u16(ADDR_ATTR_FAMILY, AF_INET6).bytes(ADDR_ATTR_ADDR6, address.getAddress());
            }
        }
        unknown.forEach(w::attribute);
        w.endNested(nest);
    }

    /** Decodes the nested attributes of an address. */
    public static PmAddress read(AttributeReader a) throws NetlinkFormatException {
        int id = a.u8Or(ADDR_ATTR_ID, ABSENT);
        int flags = a.has(ADDR_ATTR_FLAGS) ? (int) a.u32(ADDR_ATTR_FLAGS) : ABSENT;
        int ifIndex = a.s32Or(ADDR_ATTR_IF_IDX, ABSENT);
        int port = a.u16Or(ADDR_ATTR_PORT, ABSENT);
        InetAddress address = null;
        int family = a.u16Or(ADDR_ATTR_FAMILY, 0);
        try {
            if (family == AF_INET && a.has(ADDR_ATTR_ADDR4)) {
                address = InetAddress.getByAddress(checked(a.bytes(ADDR_ATTR_ADDR4), 4));
            } else if (family == AF_INET6 && a.has(ADDR_ATTR_ADDR6)) {
                address = Inet6Address.getByAddress(null, checked(a.bytes(ADDR_ATTR_ADDR6), 16), null);
            }
        } catch (UnknownHostException e) {
            throw new NetlinkFormatException("mptcp_pm address: " + e.getMessage());
        }
        List<Attribute> unknown = a.except(ADDR_ATTR_FAMILY, ADDR_ATTR_ID, ADDR_ATTR_ADDR4, ADDR_ATTR_ADDR6,
                ADDR_ATTR_PORT, ADDR_ATTR_FLAGS, ADDR_ATTR_IF_IDX);
        return new PmAddress(id, address, port, flags, ifIndex, unknown);
    }

    private static byte[] checked(byte[] b, int n) throws NetlinkFormatException {
        if (b.length != n) {
            throw new NetlinkFormatException("mptcp_pm address of " + b.length + " bytes, expected " + n);
        }
        return b;
    }
}
