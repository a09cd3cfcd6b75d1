package io.mpsec.kernel.pm;

import static io.mpsec.kernel.pm.MptcpPmUapi.*;

import io.mpsec.kernel.genl.GenlMessage;
import io.mpsec.kernel.netlink.Attribute;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.pm.PmEvent;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Decodes {@code mptcp_pm_events} notifications into {@link PmEvent} records. The genl command byte
 * is the event type (enum mptcp_event_type, include/uapi/linux/mptcp_pm.h, Linux 6.18).
 *
 * <p>Byte-order trap: {@code MPTCP_ATTR_SPORT}/{@code DPORT} in events are big-endian (be16), while
 * {@code MPTCP_PM_ADDR_ATTR_PORT} in commands is host order. Decoding here converts, so ports in
 * {@link PmEvent}s can be passed straight to {@link MptcpPathManager} commands.
 */
public final class PmEvents {
    private PmEvents() {
    }

    /**
     * An event and the attributes its {@link PmEvent} record does not carry, kept raw in wire order:
     * attributes newer than MPSec, and known ones the records leave out (MPTCP_ATTR_TIMEOUT,
     * MPTCP_ATTR_FLAGS, MPTCP_ATTR_RESET_REASON, MPTCP_ATTR_RESET_FLAGS, MPTCP_ATTR_IF_IDX of a
     * closed subflow...).
     *
     * @param event the decoded event
     * @param unknown the attributes not represented in {@code event}
     */
    public record Decoded(PmEvent event, List<Attribute> unknown) {
        public Decoded {
            unknown = List.copyOf(unknown);
        }
    }

    /** Decodes one notification. Bytes that are not a well-formed event throw {@link NetlinkFormatException}. */
    public static PmEvent decode(NetlinkMessage m) throws NetlinkFormatException {
        return decodeKeepingUnknown(m).event();
    }

    /** As {@link #decode}, also returning the attributes the event record does not carry. */
    public static Decoded decodeKeepingUnknown(NetlinkMessage m) throws NetlinkFormatException {
        GenlMessage g = GenlMessage.decode(m);
        AttributeReader a = g.reader("mptcp_pm event " + g.cmd());
        return new Decoded(event(g.cmd(), a), a.except(carried(g.cmd())));
    }

    /** The attribute kinds the record of event {@code type} carries ({@code FAMILY} is implied by the addresses). */
    private static int[] carried(int type) {
        int[] endpoints = {EV_ATTR_TOKEN, EV_ATTR_FAMILY, EV_ATTR_SADDR4, EV_ATTR_SADDR6, EV_ATTR_DADDR4, EV_ATTR_DADDR6,
            EV_ATTR_SPORT, EV_ATTR_DPORT};
        switch (type) {
            case EVENT_CREATED:
            case EVENT_ESTABLISHED: return plus(endpoints, EV_ATTR_SERVER_SIDE);
            case EVENT_ANNOUNCED: return new int[] {EV_ATTR_TOKEN, EV_ATTR_REM_ID, EV_ATTR_DADDR4, EV_ATTR_DADDR6, EV_ATTR_DPORT};
            case EVENT_REMOVED: return new int[] {EV_ATTR_TOKEN, EV_ATTR_REM_ID};
            case EVENT_SUB_ESTABLISHED: return plus(endpoints, EV_ATTR_LOC_ID, EV_ATTR_REM_ID, EV_ATTR_BACKUP, EV_ATTR_IF_IDX);
            case EVENT_SUB_CLOSED: return plus(endpoints, EV_ATTR_LOC_ID, EV_ATTR_REM_ID, EV_ATTR_BACKUP, EV_ATTR_ERROR);
            case EVENT_SUB_PRIORITY: return plus(endpoints, EV_ATTR_LOC_ID, EV_ATTR_REM_ID, EV_ATTR_BACKUP);
            case EVENT_LISTENER_CREATED:
            case EVENT_LISTENER_CLOSED: return new int[] {EV_ATTR_FAMILY, EV_ATTR_SADDR4, EV_ATTR_SADDR6, EV_ATTR_SPORT};
            default: return new int[] {EV_ATTR_TOKEN};
        }
    }

    private static int[] plus(int[] a, int... more) {
        int[] out = java.util.Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, out, a.length, more.length);
        return out;
    }

    private static PmEvent event(int cmd, AttributeReader a) throws NetlinkFormatException {
        long token = a.u32Or(EV_ATTR_TOKEN, 0);
        switch (cmd) {
            case EVENT_CREATED:
                return new PmEvent.Created(token, endpoints(a), a.u8Or(EV_ATTR_SERVER_SIDE, 0) != 0);
            case EVENT_ESTABLISHED:
                return new PmEvent.Established(token, endpoints(a), a.u8Or(EV_ATTR_SERVER_SIDE, 0) != 0);
            case EVENT_CLOSED:
                return new PmEvent.Closed(token);
            case EVENT_ANNOUNCED:
                return new PmEvent.Announced(token, a.u8Or(EV_ATTR_REM_ID, 0), addr(a, EV_ATTR_DADDR4, EV_ATTR_DADDR6),
                        a.u16BeOr(EV_ATTR_DPORT, 0));
            case EVENT_REMOVED:
                return new PmEvent.Removed(token, a.u8Or(EV_ATTR_REM_ID, 0));
            case EVENT_SUB_ESTABLISHED:
                return new PmEvent.SubflowEstablished(token, a.u8Or(EV_ATTR_LOC_ID, 0), a.u8Or(EV_ATTR_REM_ID, 0),
                        endpoints(a), a.u8Or(EV_ATTR_BACKUP, 0) != 0, a.s32Or(EV_ATTR_IF_IDX, 0));
            case EVENT_SUB_CLOSED:
                return new PmEvent.SubflowClosed(token, a.u8Or(EV_ATTR_LOC_ID, 0), a.u8Or(EV_ATTR_REM_ID, 0),
                        endpoints(a), a.u8Or(EV_ATTR_BACKUP, 0) != 0, a.u8Or(EV_ATTR_ERROR, 0));
            case EVENT_SUB_PRIORITY:
                return new PmEvent.SubflowPriority(token, a.u8Or(EV_ATTR_LOC_ID, 0), a.u8Or(EV_ATTR_REM_ID, 0),
                        endpoints(a), a.u8Or(EV_ATTR_BACKUP, 0) != 0);
            case EVENT_LISTENER_CREATED:
                return new PmEvent.ListenerCreated(addr(a, EV_ATTR_SADDR4, EV_ATTR_SADDR6), a.u16BeOr(EV_ATTR_SPORT, 0));
            case EVENT_LISTENER_CLOSED:
                return new PmEvent.ListenerClosed(addr(a, EV_ATTR_SADDR4, EV_ATTR_SADDR6), a.u16BeOr(EV_ATTR_SPORT, 0));
            default:
                return new PmEvent.Other(cmd, token);
        }
    }

    private static PmEvent.Endpoints endpoints(AttributeReader a) throws NetlinkFormatException {
        return new PmEvent.Endpoints(addr(a, EV_ATTR_SADDR4, EV_ATTR_SADDR6), a.u16BeOr(EV_ATTR_SPORT, 0),
                addr(a, EV_ATTR_DADDR4, EV_ATTR_DADDR6), a.u16BeOr(EV_ATTR_DPORT, 0));
    }

    private static InetAddress addr(AttributeReader a, int v4, int v6) throws NetlinkFormatException {
        try {
            if (a.has(v4)) {
                byte[] b = a.bytes(v4);
                if (b.length != 4) {
                    throw new NetlinkFormatException("mptcp_pm event: IPv4 address of " + b.length + " bytes");
                }
                return InetAddress.getByAddress(b);
            }
            if (a.has(v6)) {
                byte[] b = a.bytes(v6);
                if (b.length != 16) {
                    throw new NetlinkFormatException("mptcp_pm event: IPv6 address of " + b.length + " bytes");
                }
                return InetAddress.getByAddress(b);
            }
            return null;
        } catch (UnknownHostException e) {
            throw new NetlinkFormatException("mptcp_pm event address: " + e.getMessage());
        }
    }

    /** Encodes an event as the kernel does (for fake kernels and tests); the inverse of {@link #decode}. */
    public static NetlinkMessage encode(int familyId, PmEvent e) {
        AttributeWriter w;
        if (e instanceof PmEvent.Created c) {
            w = conn(EVENT_CREATED, c.token(), c.endpoints()).u8(EV_ATTR_SERVER_SIDE, c.serverSide() ? 1 : 0);
        } else if (e instanceof PmEvent.Established c) {
            w = conn(EVENT_ESTABLISHED, c.token(), c.endpoints()).u8(EV_ATTR_SERVER_SIDE, c.serverSide() ? 1 : 0);
        } else if (e instanceof PmEvent.Closed c) {
            w = GenlMessage.writer(EVENT_CLOSED, VERSION).u32(EV_ATTR_TOKEN, (int) c.token());
        } else if (e instanceof PmEvent.Announced c) {
            w = GenlMessage.writer(EVENT_ANNOUNCED, VERSION).u32(EV_ATTR_TOKEN, (int) c.token()).u8(EV_ATTR_REM_ID, c.remoteId());
            addr(w, c.address(), EV_ATTR_DADDR4, EV_ATTR_DADDR6);
            w.u16Be(EV_ATTR_DPORT, c.port());
        } else if (e instanceof PmEvent.Removed c) {
            w = GenlMessage.writer(EVENT_REMOVED, VERSION).u32(EV_ATTR_TOKEN, (int) c.token()).u8(EV_ATTR_REM_ID, c.remoteId());
        } else if (e instanceof PmEvent.SubflowEstablished c) {
            w = conn(EVENT_SUB_ESTABLISHED, c.token(), c.endpoints()).u8(EV_ATTR_LOC_ID, c.localId()).u8(EV_ATTR_REM_ID, c.remoteId())
                    .u8(EV_ATTR_BACKUP, c.backup() ? 1 : 0).s32(EV_ATTR_IF_IDX, c.ifIndex());
        } else if (e instanceof PmEvent.SubflowClosed c) {
            w = conn(EVENT_SUB_CLOSED, c.token(), c.endpoints()).u8(EV_ATTR_LOC_ID, c.localId()).u8(EV_ATTR_REM_ID, c.remoteId())
                    .u8(EV_ATTR_BACKUP, c.backup() ? 1 : 0).u8(EV_ATTR_ERROR, c.error());
        } else if (e instanceof PmEvent.SubflowPriority c) {
            w = conn(EVENT_SUB_PRIORITY, c.token(), c.endpoints()).u8(EV_ATTR_LOC_ID, c.localId()).u8(EV_ATTR_REM_ID, c.remoteId())
                    .u8(EV_ATTR_BACKUP, c.backup() ? 1 : 0);
        } else if (e instanceof PmEvent.ListenerCreated c) {
            w = listener(EVENT_LISTENER_CREATED, c.address(), c.port());
        } else if (e instanceof PmEvent.ListenerClosed c) {
            w = listener(EVENT_LISTENER_CLOSED, c.address(), c.port());
        } else {
            PmEvent.Other o = (PmEvent.Other) e;
            w = GenlMessage.writer(o.type(), VERSION).u32(EV_ATTR_TOKEN, (int) o.token());
        }
        return new NetlinkMessage(familyId, 0, 0, 0, w.toByteArray());
    }

    private static AttributeWriter conn(int type, long token, PmEvent.Endpoints ep) {
        AttributeWriter w = GenlMessage.writer(type, VERSION).u32(EV_ATTR_TOKEN, (int) token);
        w.u16(EV_ATTR_FAMILY, ep.local() instanceof java.net.Inet6Address ? AF_INET6 : AF_INET);
        addr(w, ep.local(), EV_ATTR_SADDR4, EV_ATTR_SADDR6);
        addr(w, ep.remote(), EV_ATTR_DADDR4, EV_ATTR_DADDR6);
        return w.u16Be(EV_ATTR_SPORT, ep.localPort()).u16Be(EV_ATTR_DPORT, ep.remotePort());
    }

    private static AttributeWriter listener(int type, InetAddress a, int port) {
        AttributeWriter w = GenlMessage.writer(type, VERSION).u16(EV_ATTR_FAMILY, a instanceof java.net.Inet6Address ? AF_INET6 : AF_INET);
        addr(w, a, EV_ATTR_SADDR4, EV_ATTR_SADDR6);
        return w.u16Be(EV_ATTR_SPORT, port);
    }

    private static void addr(AttributeWriter w, InetAddress a, int v4, int v6) {
        if (a != null) {
            w.bytes(a instanceof java.net.Inet6Address ? v6 : v4, a.getAddress());
        }
    }
}
