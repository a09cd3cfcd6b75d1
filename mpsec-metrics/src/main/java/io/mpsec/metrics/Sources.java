package io.mpsec.metrics;

import io.mpsec.ipsec.paths.PathSa;
import io.mpsec.ipsec.xfrm.SaUsage;
import io.mpsec.ipsec.xfrm.msg.SaId;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where the binders read from: small interfaces, so that tests can pass fakes for the kernel. */
public final class Sources {
    private Sources() {
    }

    /** The link counters of one namespace ({@link LinkStatsReader}). */
    @FunctionalInterface
    public interface LinkSource {
        /** Every interface with its counters. */
        List<LinkStats> links() throws IOException;
    }

    /** Named counters read from a file such as /proc/net/netstat or /proc/net/xfrm_stat. */
    @FunctionalInterface
    public interface CounterSource {
        /** Counter name to value, in the kernel's order. */
        Map<String, Long> read() throws IOException;
    }

    /** The SAs MPSec installed, per generation ({@code SecurePaths::installedSas}). */
    @FunctionalInterface
    public interface SaList {
        /** Generation to its SAs (inbound and outbound). */
        Map<Long, List<PathSa>> installedSas();
    }

    /** GETAE usage of one SA ({@code XfrmClient::usage}); empty when the kernel has no such SA. */
    @FunctionalInterface
    public interface SaUsageSource {
        /** The SA's usage, empty when the kernel has no such SA. */
        Optional<SaUsage> usage(SaId id) throws IOException;
    }
}
