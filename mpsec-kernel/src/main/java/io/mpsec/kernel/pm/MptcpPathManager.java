package io.mpsec.kernel.pm;

import io.mpsec.kernel.genl.GenericNetlink;
import io.mpsec.kernel.genl.GenlFamily;
import io.mpsec.kernel.genl.GenlFamilyNotFoundException;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.pm.Endpoint;
import io.mpsec.pm.EndpointFlag;
import io.mpsec.pm.Limits;
import io.mpsec.pm.MissingKernelFeatureException;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The MPTCP path manager of one network namespace, over generic netlink {@code mptcp_pm}.
 *
 * <p>In-kernel PM: endpoints (add, delete, list, flush, change flags) and limits, exactly what
 * {@code ip mptcp endpoint} / {@code ip mptcp limits} do. Userspace PM (the namespace's
 * {@code net.mptcp.path_manager} must be {@code userspace}): announce and remove addresses, create
 * and destroy subflows and set backup, per connection token.
 *
 * <p>A view made by {@link #restrictedTo} creates subflows only between address pairs its
 * {@link SubflowPolicy} allows (the strategy runner hands such a view to strategies).
 *
 * <p>Errors are {@link io.mpsec.kernel.netlink.NetlinkException}s carrying the kernel's explanation.
 * Thread-safe (requests are serialised).
 */
public final class MptcpPathManager implements AutoCloseable {
    private final NetlinkConnection conn;
    private final GenlFamily family;
    private final SubflowPolicy policy;
    private final Consumer<SubflowRefusedException> onRefused;

    private MptcpPathManager(NetlinkConnection conn, GenlFamily family, SubflowPolicy policy,
            Consumer<SubflowRefusedException> onRefused) {
        this.conn = conn;
        this.family = family;
        this.policy = policy;
        this.onRefused = onRefused;
    }

    /** Opens the path manager of namespace {@code ns} ({@code null}: this process's namespace). */
    public static MptcpPathManager open(NetNamespace ns) throws IOException {
        NetlinkConnection c = NetlinkConnection.open(io.mpsec.kernel.netlink.Netlink.NETLINK_GENERIC, ns);
        try {
            return over(c);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Uses an existing connection (a real socket or a fake kernel); resolves the family. */
    public static MptcpPathManager over(NetlinkConnection c) throws IOException {
        try {
            return new MptcpPathManager(c, GenericNetlink.resolve(c, MptcpPmUapi.FAMILY), SubflowPolicy.ANY, null);
        } catch (GenlFamilyNotFoundException e) {
            throw new MissingKernelFeatureException("MPTCP path manager (generic netlink family mptcp_pm)",
                    "Linux 5.6+ built with CONFIG_MPTCP=y", "this kernel has no mptcp_pm family (" + e.getMessage() + ")", e);
        }
    }

    /**
     * A view of this path manager over the same netlink connection whose {@link #createSubflow} and
     * {@link #createBackupSubflow} refuse every pair {@code allowed} does not allow (on top of this
     * manager's own policy, which a view can only narrow): they call {@code onRefused} (may be null)
     * and throw {@link SubflowRefusedException} without sending anything. Closing the view closes the
     * shared connection.
     */
    public MptcpPathManager restrictedTo(SubflowPolicy allowed, Consumer<SubflowRefusedException> onRefused) {
        Objects.requireNonNull(allowed, "allowed");
        Consumer<SubflowRefusedException> both = this.onRefused == null ? onRefused
                : onRefused == null ? this.onRefused : this.onRefused.andThen(onRefused);
        return new MptcpPathManager(conn, family, policy.and(allowed), both);
    }

    /** The pairs this manager may open subflows between ({@link SubflowPolicy#ANY} unless restricted). */
    public SubflowPolicy subflowPolicy() {
        return policy;
    }

    public GenlFamily family() {
        return family;
    }

    public NetlinkConnection connection() {
        return conn;
    }

    private void execute(PmCommand c) throws IOException {
        conn.execute(c.op(), c.toMessage(family.id()));
    }

    // ---- in-kernel PM: endpoints ----

    /**
     * Whether the running kernel supports endpoint flag {@code f} (LAMINAR needs 6.18+; probed once
     * by adding it in a private namespace and reading it back, since kernels drop unknown bits silently).
     */
    public static boolean supportsFlag(EndpointFlag f) {
        return FlagProbe.supports(f);
    }

    /** Adds an endpoint ({@code ip mptcp endpoint add}). */
    public void addEndpoint(Endpoint e) throws IOException {
        checkFlagsSupported(e.flags());
        if (e.has(EndpointFlag.IMPLICIT)) {
            throw new IllegalArgumentException("the IMPLICIT flag is set by the kernel only; remove it from " + e);
        }
        if (e.port() != 0 && !e.has(EndpointFlag.SIGNAL)) {
            throw new IllegalArgumentException("an endpoint port is only valid with the SIGNAL flag: " + e);
        }
        addEndpointUnchecked(e);
    }

    private static void checkFlagsSupported(Set<EndpointFlag> flags) throws IOException {
        for (EndpointFlag f : flags) {
            if (f != EndpointFlag.IMPLICIT && !supportsFlag(f)) {
                throw new MissingKernelFeatureException("endpoint flag " + f, "Linux 6.18+",
                        "this kernel (" + KernelVersion.current() + ") drops the flag silently, so MPSec refuses it");
            }
        }
    }

    /** ADD_ADDR without the flag check (used by the flag probe itself). */
    void addEndpointUnchecked(Endpoint e) throws IOException {
        execute(AddAddr.of(e));
    }

    /** Deletes endpoint {@code id}. */
    public void deleteEndpoint(int id) throws IOException {
        checkId(id);
        execute(DelAddr.byId(id));
    }

    /** Endpoint {@code id}. */
    public Endpoint endpoint(int id) throws IOException {
        checkId(id);
        GetAddr g = GetAddr.byId(id);
        NetlinkMessage reply = conn.requestOne(g.op(), g.toMessage(family.id()));
        return Endpoints.fromWire(GetAddr.decodeReply(reply));
    }

    /** All endpoints, in the kernel's order ({@code ip mptcp endpoint show}). */
    public List<Endpoint> endpoints() throws IOException {
        GetAddr g = GetAddr.dump();
        List<Endpoint> out = new ArrayList<>();
        for (NetlinkMessage m : conn.dumpConsistent(g.op(), g.toMessage(family.id()), 5)) {
            out.add(Endpoints.fromWire(GetAddr.decodeReply(m)));
        }
        return out;
    }

    /** Removes every endpoint. */
    public void flushEndpoints() throws IOException {
        execute(new FlushAddrs());
    }

    /**
     * Changes the flags of endpoint {@code id} ({@code ip mptcp endpoint change}). The kernel
     * replaces the changeable flags, BACKUP and FULLMESH, with those in {@code flags} (a flag left out
     * is cleared); SIGNAL and SUBFLOW cannot be changed this way.
     */
    public void setEndpointFlags(int id, Set<EndpointFlag> flags) throws IOException {
        checkId(id);
        checkFlagsSupported(flags);
        execute(SetFlags.endpoint(id, EndpointFlags.bits(flags)));
    }

    public Limits limits() throws IOException {
        GetLimits g = new GetLimits();
        return GetLimits.decodeReply(conn.requestOne(g.op(), g.toMessage(family.id())));
    }

    public void setLimits(Limits limits) throws IOException {
        execute(new SetLimits(limits));
    }

    // ---- userspace PM, per connection token ----

    /** Announces local address {@code localId}/{@code address} (optional {@code port}, 0 for none) to the peer. */
    public void announce(long token, int localId, InetAddress address, int port) throws IOException {
        PmAddress a = new PmAddress(localId, address, port == 0 ? PmAddress.ABSENT : port, PmAddress.ABSENT, PmAddress.ABSENT);
        execute(new Announce(checkToken(token), a));
    }

    /** Withdraws announced local address id {@code localId}. */
    public void remove(long token, int localId) throws IOException {
        execute(new Remove(checkToken(token), localId));
    }

    /**
     * Opens a subflow from {@code local} (local address id {@code localId}; 0 = the address of the
     * initial subflow) to {@code remote}:{@code remotePort}. {@code remotePort} is an ordinary port
     * number (events deliver it already converted from network order).
     */
    public void createSubflow(long token, int localId, InetAddress local, InetAddress remote, int remotePort) throws IOException {
        checkAllowed(local, remote, remotePort);
        PmAddress l = new PmAddress(localId, local, PmAddress.ABSENT, PmAddress.ABSENT, PmAddress.ABSENT);
        execute(new SubflowCreate(checkToken(token), l, PmAddress.of(remote, checkPort(remotePort))));
    }

    /** Like {@link #createSubflow} but the new subflow is a backup from the start (MP_JOIN with the backup bit). */
    public void createBackupSubflow(long token, int localId, InetAddress local, InetAddress remote, int remotePort)
            throws IOException {
        checkAllowed(local, remote, remotePort);
        PmAddress l = new PmAddress(localId, local, PmAddress.ABSENT, MptcpPmUapi.FLAG_BACKUP, PmAddress.ABSENT);
        execute(new SubflowCreate(checkToken(token), l, PmAddress.of(remote, checkPort(remotePort))));
    }

    /** Closes the subflow with these four-tuple values. */
    public void destroySubflow(long token, InetAddress local, int localPort, InetAddress remote, int remotePort) throws IOException {
        execute(new SubflowDestroy(checkToken(token), PmAddress.of(local, checkPort(localPort)),
                PmAddress.of(remote, checkPort(remotePort))));
    }

    /** Marks the subflow as backup (or not) and sends MP_PRIO to the peer. */
    public void setSubflowBackup(long token, InetAddress local, int localPort, InetAddress remote, int remotePort,
            boolean backup) throws IOException {
        execute(SetFlags.subflowBackup(checkToken(token), PmAddress.of(local, checkPort(localPort)),
                PmAddress.of(remote, checkPort(remotePort)), backup));
    }

    private void checkAllowed(InetAddress local, InetAddress remote, int remotePort) throws SubflowRefusedException {
        if (!policy.allows(local, remote)) {
            SubflowRefusedException e = new SubflowRefusedException(local, remote, remotePort, policy);
            if (onRefused != null) {
                onRefused.accept(e);
            }
            throw e;
        }
    }

    private static void checkId(int id) {
        if (id < 0 || id > 255) {
            throw new IllegalArgumentException("endpoint id must be 0..255, got " + id);
        }
    }

    private static long checkToken(long token) {
        if (token <= 0 || token > 0xffffffffL) {
            throw new IllegalArgumentException("MPTCP token must be an unsigned 32-bit value > 0, got " + token);
        }
        return token;
    }

    private static int checkPort(int port) {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        return port;
    }

    @Override
    public void close() throws IOException {
        conn.close();
    }
}
