package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.keys.DerivedSa;
import io.mpsec.ipsec.keys.KeyReuseException;
import io.mpsec.ipsec.keys.SaKeyDerivation;
import io.mpsec.ipsec.xfrm.InstalledSa;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.ipsec.xfrm.XfrmException;
import io.mpsec.ipsec.xfrm.msg.SaId;
import io.mpsec.kernel.ffi.Errno;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Installs one direction of one generation's SAs for a {@link PathPlan}, all or nothing.
 *
 * <p>An inbound SA that already exists (EEXIST: left by an earlier run, a crash or the peer's
 * earlier generation) is read back and compared with the one that would be installed: the same SA
 * is adopted, a different one is an error ({@link SaConflictException}), never silently kept or
 * replaced. An outbound SA that already exists is refused ({@link KeyReuseException}): installing
 * it again would restart its ESP sequence counter under the same key (AES-GCM nonce reuse).
 */
final class SaInstaller {
    private final XfrmClient xfrm;
    private final PathPlan plan;

    SaInstaller(XfrmClient xfrm, PathPlan plan) {
        this.xfrm = xfrm;
        this.plan = plan;
    }

    /**
     * Installs {@code generation}'s SAs of one direction. Returns them all (new and adopted); the new
     * ones are also added to {@code created}, so a caller can undo exactly what this call changed.
     * On failure the SAs this call created are deleted again before the exception propagates.
     * Outbound generations must have been claimed in the reuse ledger by the caller.
     */
    List<PathSa> install(long generation, boolean outbound, List<PathSa> created) throws IOException {
        Map<SaKeyDerivation.Flow, DerivedSa> derived = plan.derive(generation);
        List<PathSa> all = new ArrayList<>();
        List<PathSa> mine = new ArrayList<>();
        try {
            for (DerivedSa d : derived.values()) {
                if (plan.isOutbound(d) != outbound) {
                    d.key().wipe();
                    continue;
                }
                SecurityAssociation sa = plan.sa(d, generation, outbound);
                PathSa ps = new PathSa(generation, sa, outbound);
                if (add(sa, generation, outbound)) {
                    mine.add(ps);
                }
                all.add(ps);
            }
        } catch (IOException | RuntimeException e) {
            for (PathSa s : mine) {
                try {
                    deleteIfPresent(s.id());
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        created.addAll(mine);
        return all;
    }

    /** Adds one SA; returns false when an identical inbound SA was already there (adopted). */
    private boolean add(SecurityAssociation sa, long generation, boolean outbound) throws IOException {
        try {
            xfrm.addSa(sa);
            return true;
        } catch (XfrmException x) {
            if (x.errno() != Errno.EEXIST) {
                throw x;
            }
        }
        String id = sa.source().getHostAddress() + " -> " + sa.destination().getHostAddress() + " spi 0x"
                + String.format("%08x", sa.spi()) + " (generation " + generation + ")";
        if (outbound) {
            throw new KeyReuseException("the outbound SA " + id + " already exists in the kernel: installing it again would "
                    + "reuse its key with a restarted sequence counter. Remove MPSec's stale SAs (SecurePaths.teardown(), or "
                    + "ip xfrm state deleteall reqid " + sa.reqid() + ") or move both hosts to a new generation and apply that.");
        }
        Optional<InstalledSa> existing = xfrm.getSa(new SaId(sa.source(), sa.destination(), sa.spi()));
        if (existing.isEmpty()) {
            xfrm.addSa(sa); // removed meanwhile (hard expiry): install ours
            return true;
        }
        if (!sameSa(existing.get().sa(), sa)) {
            throw new SaConflictException("an inbound SA " + id + " exists in the kernel with other parameters (key, algorithm, "
                    + "reqid, mode or replay settings) than MPSec derives for it. It was not installed by this master key and "
                    + "configuration; MPSec does not replace it. Remove it (ip xfrm state delete src "
                    + sa.source().getHostAddress() + " dst " + sa.destination().getHostAddress() + " proto esp spi 0x"
                    + String.format("%08x", sa.spi()) + ") if it is stale, or check that both hosts use the same key file.");
        }
        return false;
    }

    /** Equal in everything but the lifetime limits (which only bound use) and the counters. */
    static boolean sameSa(SecurityAssociation a, SecurityAssociation b) {
        io.mpsec.ipsec.Lifetime l = SecurePaths.defaultLifetime(true);
        return a.toBuilder().lifetime(l).build().equals(b.toBuilder().lifetime(l).build());
    }

    void deleteIfPresent(SaId id) throws IOException {
        try {
            xfrm.deleteSa(id);
        } catch (XfrmException x) {
            if (x.errno() != Errno.ESRCH && x.errno() != Errno.ENOENT) {
                throw x;
            }
        }
    }
}
