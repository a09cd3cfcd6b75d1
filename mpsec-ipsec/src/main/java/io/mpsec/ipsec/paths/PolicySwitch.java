package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.paths.PathPlan.PolicyKey;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.ipsec.xfrm.XfrmException;
import io.mpsec.kernel.ffi.Errno;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Changes the policies of a {@link PathPlan} in the kernel: every policy of a change in one netlink
 * batch ({@link XfrmClient#updatePolicies}), an exact undo to what a {@link KernelState} recorded
 * (BLOCK where there was nothing, when failing closed), and the removal of the namespace's join gate
 * once no MPSec policy is left.
 */
final class PolicySwitch {
    private final XfrmClient xfrm;
    private final PathPlan plan;

    PolicySwitch(XfrmClient xfrm, PathPlan plan) {
        this.xfrm = xfrm;
        this.plan = plan;
    }

    /** Installs policies in one batch; throws the first failure (the others suppressed). */
    void install(List<SecurityPolicy> target) throws IOException {
        XfrmException first = null;
        for (XfrmException e : xfrm.updatePolicies(target)) {
            if (e != null) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Puts every policy back as {@code before} had it; none before means BLOCK (failClosed) or none. */
    void restore(KernelState before, Exception cause) {
        List<SecurityPolicy> restore = new ArrayList<>();
        List<PolicyKey> delete = new ArrayList<>();
        for (PolicyKey k : plan.policyKeys()) {
            SecurityPolicy prev = before.policy(k);
            if (prev != null) {
                restore.add(prev);
            } else if (plan.failClosed()) {
                restore.add(plan.block(k.selector(), k.direction()));
            } else {
                delete.add(k);
            }
        }
        try {
            install(restore);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
        for (PolicyKey k : delete) {
            try {
                xfrm.deletePolicy(k.selector(), k.direction());
            } catch (XfrmException e) {
                if (e.errno() != Errno.ENOENT) {
                    cause.addSuppressed(e);
                }
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** Removes the namespace's join gate once no policy of MPSec (of any configuration) is left. */
    void removeGateIfUnused() throws IOException {
        for (SecurityPolicy p : xfrm.dumpPolicies()) {
            boolean mpsec = p.priority() == plan.priority() && (p.action() == SecurityPolicy.Action.BLOCK
                    || p.templates().stream().anyMatch(t -> SecurePaths.isMpsecReqid(t.reqid()) || t.reqid() == 0));
            if (mpsec) {
                return; // other secure paths in this namespace still rely on it
            }
        }
        JoinGate gate = JoinGate.of(xfrm.namespace());
        if (gate.installed()) {
            gate.remove();
        }
    }
}
