package io.mpsec.kernel.pm;

import java.io.IOException;
import java.net.InetAddress;

/**
 * A subflow was not created because its address pair is outside the path manager's
 * {@link SubflowPolicy}; nothing was sent to the kernel. With fail-closed secure paths this means the
 * pair has no IPsec protection: to use it, configure both addresses in the secure paths of both hosts.
 */
public class SubflowRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient InetAddress local;
    private final transient InetAddress remote;
    private final int remotePort;

    public SubflowRefusedException(InetAddress local, InetAddress remote, int remotePort, SubflowPolicy policy) {
        super("refused to open the subflow " + name(local) + " -> " + name(remote) + ":" + remotePort
                + ": the pair is not allowed (" + policy + "); with fail-closed secure paths only protected pairs may "
                + "carry subflows, so add both addresses to the secure paths on both hosts to use it");
        this.local = local;
        this.remote = remote;
        this.remotePort = remotePort;
    }

    private static String name(InetAddress a) {
        return a == null ? "(none)" : a.getHostAddress();
    }

    /** The local address of the refused subflow. */
    public InetAddress local() {
        return local;
    }

    /** The remote address of the refused subflow. */
    public InetAddress remote() {
        return remote;
    }

    /** The remote port of the refused subflow. */
    public int remotePort() {
        return remotePort;
    }
}
