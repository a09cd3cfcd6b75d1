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

    static RekeyTarget of(SecurePaths p) {
        if (p == null) {
            throw new NullPointerException("AutoRekey needs the SecurePaths it rekeys");
        }
        if ((Object) p instanceof RekeyTarget t) {
            return t;
        }
        return new RekeyTarget() {
            @Override
            public long activeGeneration() {
                return p.activeGeneration();
            }

            @Override
            public Map<Long, List<PathSa>> installedSas() {
                return p.installedSas();
            }

            @Override
            public long rekeyOutbound() throws IOException {
                return p.rekeyOutbound();
            }

            @Override
            public long maintain(long graceMillis) throws IOException {
                return p.maintain(graceMillis);
            }

            @Override
            public List<InetAddress[]> pairs() {
                return p.pairs();
            }
        };
    }
}
