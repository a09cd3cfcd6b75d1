package io.mpsec.kernel;

import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.socket.MptcpProbe;
import io.mpsec.kernel.socket.MptcpSocketImpl;
import io.mpsec.kernel.socket.SocketLeaks;
import io.mpsec.spi.MpsecProvider;
import io.mpsec.spi.MpsecSocketImpl;

/** The Linux implementation of {@link MpsecProvider}, registered with {@link java.util.ServiceLoader}. */
public final class KernelProvider extends MpsecProvider {
    private static final class Probe {
        static final Throwable CAUSE = probe();

        private static Throwable probe() {
            String reason = MptcpProbe.probe(Syscalls.AF_INET);
            return reason == null ? null : new UnsupportedOperationException(reason);
        }
    }

    @Override
    public MpsecSocketImpl newSocketImpl() {
        return new MptcpSocketImpl();
    }

    @Override
    public Throwable mptcpUnavailabilityCause() {
        return Probe.CAUSE;
    }

    @Override
    public long leakedSockets() {
        return SocketLeaks.count();
    }
}
