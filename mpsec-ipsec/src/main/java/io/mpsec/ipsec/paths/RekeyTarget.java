package io.mpsec.ipsec.paths;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * What {@link AutoRekey} calls on a {@link SecurePaths}: the same methods, so that unit tests can
 * stand in for it. {@link #of} adapts a {@code SecurePaths}; if {@code SecurePaths} implements this
 * interface itself, {@link #of} returns it as it is.
 */
interface RekeyTarget {
    /** {@link SecurePaths#activeGeneration()}. */
    long activeGeneration();

    /** {@link SecurePaths#installedSas()}. */
    Map<Long, List<PathSa>> installedSas();

    /** {@link SecurePaths#rekeyOutbound()}. */
    long rekeyOutbound() throws IOException;

    /** {@link SecurePaths#maintain(long)}. */
    long maintain(long graceMillis) throws IOException;

    /** {@link SecurePaths#pairs()}. */
    List<InetAddress[]> pairs();

    /** {@link SecurePaths#peerGenerations()}. */
    default Map<InetAddress, Long> peerGenerations() {
        return Map.of();
    }

    static RekeyTarget of(SecurePaths p) {
        if (p == null) {
            throw new NullPointerException("AutoRekey needs the SecurePaths it rekeys");
        }
        return p;
    }
}
