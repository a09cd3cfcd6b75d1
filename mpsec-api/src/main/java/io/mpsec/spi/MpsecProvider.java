package io.mpsec.spi;

import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * Service-provider interface between the public API ({@code mpsec-api}) and its native
 * implementation ({@code mpsec-kernel}). Applications do not use it: they depend on
 * {@code mpsec-kernel} and write {@code new MpsecSocket(...)}.
 *
 * <p>The provider is found once with {@link ServiceLoader}. When none is on the class path, every
 * socket operation fails with an {@link IllegalStateException} that says to add {@code mpsec-kernel}.
 */
public abstract class MpsecProvider {
    private static final class Holder {
        static final MpsecProvider INSTANCE = load();
    }

    /** The provider on the class path. */
    public static MpsecProvider get() {
        return Holder.INSTANCE;
    }

    private static MpsecProvider load() {
        Iterator<MpsecProvider> it = ServiceLoader.load(MpsecProvider.class, MpsecProvider.class.getClassLoader()).iterator();
        if (it.hasNext()) {
            return it.next();
        }
        return new MissingProvider();
    }

    /** A new, unconnected socket implementation. */
    public abstract MpsecSocketImpl newSocketImpl();

    /** Why MPTCP sockets cannot be created in the JVM's network namespace, or {@code null}. */
    public abstract Throwable mptcpUnavailabilityCause();

    /** Sockets the provider closed because they became unreachable without being closed. */
    public long leakedSockets() {
        return 0;
    }

    private static final class MissingProvider extends MpsecProvider {
        private static final String MESSAGE = "no MPSec implementation on the class path: add the dependency "
                + "io.mpsec:mpsec-kernel (it provides io.mpsec.spi.MpsecProvider)";

        @Override
        public MpsecSocketImpl newSocketImpl() {
            throw new IllegalStateException(MESSAGE);
        }

        @Override
        public Throwable mptcpUnavailabilityCause() {
            return new IllegalStateException(MESSAGE);
        }
    }
}
