package io.mpsec.kernel.pm.strategy;

import io.mpsec.pm.PmEvent;
import java.io.IOException;

/**
 * {@code ndiffports(n)}: n subflows over the same address pair, differing only in the source port
 * (the original multipath-tcp.org path manager), implemented with SUBFLOW_CREATE from the initial
 * subflow's address (local id 0) to the peer's address and port. Client side only.
 */
public final class NDiffPorts implements PmStrategy {
    private final int n;

    public NDiffPorts(int n) {
        if (n < 1 || n > 8) {
            throw new IllegalArgumentException("ndiffports needs 1..8 subflows (the kernel's subflow limit), got " + n);
        }
        this.n = n;
    }

    @Override
    public String name() {
        return "ndiffports(" + n + ")";
    }

    @Override
    public void onEstablished(PmContext ctx, PmEvent.Established e) throws IOException {
        if (e.serverSide()) {
            return;
        }
        PmEvent.Endpoints ep = e.endpoints();
        for (int i = 1; i < n; i++) {
            ctx.pm().createSubflow(e.token(), 0, ep.local(), ep.remote(), ep.remotePort());
        }
    }
}
