package io.mpsec.kernel.pm.strategy;

import io.mpsec.kernel.pm.MptcpPathManager;
import java.net.InetAddress;
import java.util.Collection;

/** What a strategy may use: the namespace's path manager and the tracked connections. */
public interface PmContext {
    /**
     * The namespace's path manager. The strategy runner's is restricted to its allowed pairs
     * ({@link MptcpPathManager#subflowPolicy()}): creating a subflow for another pair throws
     * {@link io.mpsec.kernel.pm.SubflowRefusedException} and sends nothing.
     */
    MptcpPathManager pm();

    /** The tracked state of connection {@code token}, or {@code null} when unknown (closed or before CREATED). */
    ConnectionState connection(long token);

    Collection<ConnectionState> connections();

    /**
     * A stable local address id for {@code address} on connection {@code token}: 0 for the initial
     * subflow's address, otherwise an id unique within this runner.
     */
    int localId(long token, InetAddress address);

    /**
     * The progress of every established TCP socket (subflows included) of the namespace now, from
     * sock_diag ({@link io.mpsec.kernel.diag.SubflowProgressReader}).
     */
    default java.util.List<io.mpsec.kernel.diag.SubflowProgress> subflowProgress() throws java.io.IOException {
        throw new UnsupportedOperationException("this context cannot read subflow progress");
    }

    /** The namespace's current interface addresses (rtnetlink). */
    java.util.List<io.mpsec.kernel.rtnl.Address> addresses() throws java.io.IOException;
}
