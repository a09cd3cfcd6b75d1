package io.mpsec.kernel.socket;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;

/**
 * The legacy {@link SocketOptions} integer ids that {@code java.net.Socket}'s setters use
 * ({@code setSoTimeout}, {@code setSoLinger}, ...), translated to the typed options of
 * {@link MptcpSocketImpl}. SO_TIMEOUT lives in the impl itself; SO_LINGER's legacy form is
 * "Integer seconds, or Boolean false for off".
 */
final class LegacyOptions {
    private LegacyOptions() {
    }

    static void set(MptcpSocketImpl impl, int optID, Object value) throws SocketException {
        if (optID == SocketOptions.SO_TIMEOUT) {
            if (!(value instanceof Integer) || (Integer) value < 0) {
                throw new IllegalArgumentException("SO_TIMEOUT must be a non-negative Integer, got " + value);
            }
            impl.timeoutMillis((Integer) value);
            return;
        }
        try {
            if (optID == SocketOptions.SO_LINGER) {
                impl.setOption(StandardSocketOptions.SO_LINGER, value instanceof Integer ? (Integer) value : -1);
            } else {
                impl.setOption(SocketOptionCodec.legacy(optID), value);
            }
        } catch (IOException e) {
            throw asSocketException(e);
        }
    }

    static Object get(MptcpSocketImpl impl, int optID) throws SocketException {
        try {
            switch (optID) {
                case SocketOptions.SO_TIMEOUT:
                    return impl.timeoutMillis();
                case SocketOptions.SO_BINDADDR:
                    return impl.localAddressOrWildcard();
                case SocketOptions.SO_LINGER: {
                    int v = impl.getOption(StandardSocketOptions.SO_LINGER);
                    return v < 0 ? (Object) Boolean.FALSE : (Object) v;
                }
                default:
                    SocketOption<Object> option = SocketOptionCodec.legacy(optID);
                    return impl.getOption(option);
            }
        } catch (IOException e) {
            throw asSocketException(e);
        }
    }

    private static SocketException asSocketException(IOException e) {
        if (e instanceof SocketException) {
            return (SocketException) e;
        }
        SocketException s = new SocketException(e.getMessage());
        s.initCause(e);
        return s;
    }
}
