package io.mpsec.ipsec.xfrm;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.Mode;
import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.Selector;
import io.mpsec.ipsec.xfrm.msg.AllocSpi;
import io.mpsec.ipsec.xfrm.msg.DelPolicy;
import io.mpsec.ipsec.xfrm.msg.DelSa;
import io.mpsec.ipsec.xfrm.msg.DumpPolicy;
import io.mpsec.ipsec.xfrm.msg.DumpSa;
import io.mpsec.ipsec.xfrm.msg.FlushPolicy;
import io.mpsec.ipsec.xfrm.msg.FlushSa;
import io.mpsec.ipsec.xfrm.msg.GetAe;
import io.mpsec.ipsec.xfrm.msg.GetSa;
import io.mpsec.ipsec.xfrm.msg.NewPolicy;
import io.mpsec.ipsec.xfrm.msg.NewSa;
import io.mpsec.ipsec.xfrm.msg.SaId;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaInfo;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's IPsec databases (SAD and SPD) over xfrm netlink: SAs and policies of one network
 * namespace. Every call is one request, acknowledged by the kernel; failures throw
 * {@link XfrmException} naming the operation, the errno and the kernel's explanation, and a kernel
 * without ESP throws {@link EspUnsupportedException}.
 *
 * <p>Thread-safe (requests are serialised). Needs CAP_NET_ADMIN in the namespace.
 */
public final class XfrmClient implements AutoCloseable {
    private static final int DUMP_ATTEMPTS = 5;
    private final NetlinkConnection conn;
    private final NetNamespace ns;

    /** A client over an existing connection (tests pass one on a fake kernel). */
    public XfrmClient(NetlinkConnection conn) {
        this(conn, null);
    }

    private XfrmClient(NetlinkConnection conn, NetNamespace ns) {
        this.conn = conn;
        this.ns = ns;
    }

    /** Opens NETLINK_XFRM in the caller's namespace. */
    public static XfrmClient open() throws IOException {
        return new XfrmClient(NetlinkConnection.open(Xfrm.NETLINK_XFRM));
    }

    /** Opens NETLINK_XFRM inside {@code ns} ({@code null}: the caller's namespace). */
    public static XfrmClient open(NetNamespace ns) throws IOException {
        return new XfrmClient(NetlinkConnection.open(Xfrm.NETLINK_XFRM, ns), ns);
    }

    /** Installs a new SA (XFRM_MSG_NEWSA); fails with EEXIST if one with the same SPI exists. */
    public void addSa(SecurityAssociation sa) throws IOException {
        executeSa("xfrm NEWSA " + id(sa), NewSa.encode(sa, false));
    }

    /** Installs or replaces an SA (XFRM_MSG_UPDSA). */
    public void updateSa(SecurityAssociation sa) throws IOException {
        executeSa("xfrm UPDSA " + id(sa), NewSa.encode(sa, true));
    }

    /** Deletes an SA (XFRM_MSG_DELSA); fails with ESRCH if it does not exist. */
    public void deleteSa(SaId id) throws IOException {
        execute("xfrm DELSA " + id, DelSa.encode(id));
    }

    /** The SA with this id and its counters, or empty when the kernel has none (ESRCH). */
    public Optional<InstalledSa> getSa(SaId id) throws IOException {
        try {
            return Optional.of(installed(conn.requestOne("xfrm GETSA " + id, GetSa.encode(id)))); // reply wiped
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ESRCH || e.errno() == Errno.ENOENT) {
                return Optional.empty();
            }
            throw wrap(e);
        }
    }

    /**
     * Byte and packet counters and the age of an SA, from XFRM_MSG_GETAE, which (unlike GETSA) never
     * carries the SA's key: use this for periodic reads. Empty when the kernel has no such SA (ESRCH).
     */
    public Optional<SaUsage> usage(SaId id) throws IOException {
        NetlinkMessage reply;
        try {
            reply = conn.requestOne("xfrm GETAE " + id, GetAe.encode(id));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ESRCH || e.errno() == Errno.ENOENT) {
                return Optional.empty();
            }
            throw wrap(e);
        }
        GetAe.Decoded d = GetAe.decode(reply);
        if (d.id().saId().spi() != id.spi()) {
            throw new XfrmException("xfrm GETAE " + id + ": the kernel answered for SPI 0x"
                    + String.format("%08x", d.id().saId().spi()), null);
        }
        return Optional.of(new SaUsage(d.lifetime().bytes(), d.lifetime().packets(), d.lifetime().addTime(),
                d.lifetime().useTime()));
    }

    /**
     * Counters of an SA (bytes, packets, replay and integrity failures), from XFRM_MSG_GETSA. GETSA
     * returns the SA's key along with them (the buffers are wiped, the decoded SA is dropped), so
     * call it rarely; {@link #usage(SaId)} reads bytes, packets and age without the key.
     */
    public SaCounters counters(SaId id) throws IOException {
        InstalledSa got = getSa(id).orElseThrow(() -> new XfrmException("xfrm GETSA " + id + ": no such SA", null));
        wipeKeys(got.sa());
        return got.counters();
    }

    /** Wipes the keys of a decoded SA that is not handed out. */
    private static void wipeKeys(SecurityAssociation sa) {
        if (sa == null) {
            return;
        }
        if (sa.algorithm() instanceof SaAlgorithm.Aead) {
            ((SaAlgorithm.Aead) sa.algorithm()).key().wipe();
        } else if (sa.algorithm() instanceof SaAlgorithm.CipherAuth) {
            ((SaAlgorithm.CipherAuth) sa.algorithm()).cipherKey().wipe();
            ((SaAlgorithm.CipherAuth) sa.algorithm()).authKey().wipe();
        }
    }

    /**
     * Every SA of the namespace, including ones MPSec did not install and cannot model (AH or IPCOMP,
     * BEET mode, larval ALLOCSPI/ACQUIRE states, an SPI below 256...): those come with
     * {@link InstalledSa#sa()} {@code null} and their SPI and counters, so one foreign SA never fails
     * the dump. {@link NewSa#decode} gives the raw form (protocol, mode, unknown attributes, reason).
     */
    public List<InstalledSa> dumpSas() throws IOException {
        List<NetlinkMessage> parts;
        try {
            parts = conn.dumpConsistent("xfrm GETSA dump", DumpSa.encode(), DUMP_ATTEMPTS);
        } catch (NetlinkException e) {
            throw wrap(e);
        }
        List<InstalledSa> out = new ArrayList<>();
        try {
            for (NetlinkMessage m : parts) {
                out.add(installed(m));
            }
        } finally {
            parts.forEach(NetlinkMessage::wipe); // also the parts after one that failed to decode
        }
        return out;
    }

    /** Deletes every ESP SA of the namespace. */
    public void flushSas() throws IOException {
        execute("xfrm FLUSHSA esp", FlushSa.encode());
    }

    /**
     * Asks the kernel for an unused SPI in {@code [min, max]} for SAs {@code src -> dst}. The kernel
     * keeps a larval SA holding the SPI until an UPDSA with that SPI completes it (or it times out).
     */
    public long allocateSpi(InetAddress src, InetAddress dst, long reqid, Mode mode, long min, long max) throws IOException {
        NetlinkMessage reply;
        try {
            reply = conn.requestOne("xfrm ALLOCSPI " + src.getHostAddress() + " -> " + dst.getHostAddress(),
                    AllocSpi.encode(src, dst, reqid, mode, min, max));
        } catch (NetlinkException e) {
            throw wrap(e);
        }
        try {
            return NewSa.decode(reply).info().id().spi(); // a larval SA: no key
        } finally {
            reply.wipe();
        }
    }

    /** Installs a policy (XFRM_MSG_NEWPOLICY); fails with EEXIST if one with the same selector and direction exists. */
    public void addPolicy(SecurityPolicy p) throws IOException {
        execute("xfrm NEWPOLICY " + p.direction() + " " + p.selector(), NewPolicy.encode(p, false));
    }

    /** Installs or replaces a policy (XFRM_MSG_UPDPOLICY). */
    public void updatePolicy(SecurityPolicy p) throws IOException {
        execute("xfrm UPDPOLICY " + p.direction() + " " + p.selector(), NewPolicy.encode(p, true));
    }

    /** Deletes the policy with this selector and direction. */
    public void deletePolicy(Selector selector, Direction dir) throws IOException {
        execute("xfrm DELPOLICY " + dir + " " + selector, DelPolicy.encode(selector, dir));
    }

    /**
     * Every policy of the namespace that MPSec can model. Policies it cannot model are skipped, never
     * fatal: templates of another protocol (AH, IPCOMP) or in BEET mode, per-socket policies, sub
     * policies ({@code ptype sub}); {@link NewPolicy#decode} reports them raw with the reason.
     */
    public List<SecurityPolicy> dumpPolicies() throws IOException {
        List<SecurityPolicy> out = new ArrayList<>();
        try {
            for (NetlinkMessage m : conn.dumpConsistent("xfrm GETPOLICY dump", DumpPolicy.encode(), DUMP_ATTEMPTS)) {
                NewPolicy.Decoded d = NewPolicy.decode(m);
                if (d.modelled()) {
                    out.add(d.policy());
                }
            }
        } catch (NetlinkException e) {
            throw wrap(e);
        }
        return out;
    }

    /**
     * Installs or replaces every policy of {@code policies} (XFRM_MSG_UPDPOLICY) in one netlink
     * datagram, so the kernel switches them back to back, with no scheduling gap between the first
     * and the last (see {@link NetlinkConnection#executeBatch}). Not a transaction: when one fails
     * the others still apply; the caller decides how to undo.
     *
     * @return one entry per policy: {@code null} when installed, else the kernel's error
     */
    public List<XfrmException> updatePolicies(List<SecurityPolicy> policies) throws IOException {
        List<String> ops = new ArrayList<>();
        List<NetlinkMessage> msgs = new ArrayList<>();
        for (SecurityPolicy p : policies) {
            ops.add("xfrm UPDPOLICY " + p.direction() + " " + p.selector());
            msgs.add(NewPolicy.encode(p, true));
        }
        List<XfrmException> out = new ArrayList<>();
        for (NetlinkException e : conn.executeBatch(ops, msgs)) {
            out.add(e == null ? null : wrap(e));
        }
        return out;
    }

    /** The namespace this client works in, or {@code null} for the caller's own. */
    public NetNamespace namespace() {
        return ns;
    }

    /** Deletes every policy of the namespace. */
    public void flushPolicies() throws IOException {
        execute("xfrm FLUSHPOLICY", FlushPolicy.encode());
    }

    /**
     * Subscribes to EXPIRE (soft and hard) and ACQUIRE notifications on a new socket in the same
     * namespace. Close the returned subscription when done.
     */
    public XfrmEvents subscribe() throws IOException {
        return XfrmEvents.open(ns);
    }

    @Override
    public void close() throws IOException {
        conn.close();
    }

    private static String id(SecurityAssociation sa) {
        return sa.source().getHostAddress() + " -> " + sa.destination().getHostAddress() + " spi 0x"
                + String.format("%08x", sa.spi());
    }

    private void execute(String op, NetlinkMessage m) throws IOException {
        try {
            conn.execute(op, m);
        } catch (NetlinkException e) {
            throw wrap(e);
        }
    }

    /** Sends an SA message (it carries the key) and wipes it afterwards, whatever the outcome. */
    private void executeSa(String op, NetlinkMessage m) throws IOException {
        try {
            conn.execute(op, m);
        } catch (NetlinkException e) {
            if (isMissingEsp(e)) {
                throw new EspUnsupportedException(op, e);
            }
            throw wrap(e);
        } finally {
            m.wipe();
        }
    }

    /**
     * NEWSA on a kernel without ESP: xfrm_get_type() or the crypto lookup fails. Linux 6.x answers
     * ENOSYS with the extended ack "Requested type not found" or "Requested AEAD/crypt/auth algorithm
     * not found" (net/xfrm/xfrm_state.c, xfrm_user.c); older kernels EPROTONOSUPPORT.
     */
    static boolean isMissingEsp(NetlinkException e) {
        if (e.errno() == Errno.EPROTONOSUPPORT) {
            return true;
        }
        if (e.errno() == Errno.ENOSYS) {
            return true;
        }
        String ext = e.extAck();
        return ext != null && (ext.contains("type not found") || ext.contains("algorithm not found"));
    }

    private static XfrmException wrap(NetlinkException e) {
        return new XfrmException(e.getMessage(), e);
    }

    /** Decodes an SA reply or dump part, then wipes the message (it carried the key). */
    private static InstalledSa installed(NetlinkMessage m) throws IOException {
        NewSa.Decoded d;
        try {
            d = NewSa.decode(m);
        } finally {
            m.wipe();
        }
        XfrmUsersaInfo i = d.info();
        return new InstalledSa(d.sa(), i.id().spi(), new SaCounters(i.curlft().bytes(), i.curlft().packets(),
                i.stats().replay(), i.stats().integrityFailed(), i.stats().replayWindow(), i.curlft().addTime(),
                i.curlft().useTime()));
    }
}
