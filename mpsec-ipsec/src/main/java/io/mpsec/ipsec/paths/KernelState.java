package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.paths.PathPlan.PolicyKey;
import io.mpsec.ipsec.xfrm.InstalledSa;
import io.mpsec.ipsec.xfrm.XfrmClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the kernel holds on the selectors and flows of one {@link PathPlan}, read before MPSec changes
 * anything: the policy (if any) on each of the plan's selectors, split into MPSec's own and foreign
 * ones ({@link PathPlan#owns(SecurityPolicy)}), and MPSec's SAs for the plan's flows (left by an
 * earlier run, a crash or a kill switch). This is what an undo restores, and what a restart adopts.
 */
final class KernelState {
    private final Map<PolicyKey, SecurityPolicy> policies;
    private final Map<PolicyKey, SecurityPolicy> foreign;
    private final List<SecurityAssociation> ownedSas;

    private KernelState(Map<PolicyKey, SecurityPolicy> policies, Map<PolicyKey, SecurityPolicy> foreign,
            List<SecurityAssociation> ownedSas) {
        this.policies = policies;
        this.foreign = foreign;
        this.ownedSas = ownedSas;
    }

    /** Dumps the SPD and SAD of {@code xfrm}'s namespace and keeps what concerns {@code plan}. */
    static KernelState read(XfrmClient xfrm, PathPlan plan) throws IOException {
        Map<PolicyKey, SecurityPolicy> all = new LinkedHashMap<>();
        Map<PolicyKey, SecurityPolicy> foreign = new LinkedHashMap<>();
        java.util.Set<PolicyKey> keys = plan.policyKeys();
        for (SecurityPolicy p : xfrm.dumpPolicies()) {
            PolicyKey k = PolicyKey.of(p);
            if (keys.contains(k)) {
                all.put(k, p);
                if (!plan.owns(p)) {
                    foreign.put(k, p);
                }
            }
        }
        List<SecurityAssociation> sas = new ArrayList<>();
        for (InstalledSa s : xfrm.dumpSas()) {
            if (s.sa() != null && plan.owns(s.sa())) { // null: a foreign SA MPSec cannot model (AH, BEET, ...)
                sas.add(s.sa());
            }
        }
        return new KernelState(all, foreign, sas);
    }

    /** The policy on {@code key} before MPSec's change, or {@code null} when there was none (cleartext). */
    SecurityPolicy policy(PolicyKey key) {
        return policies.get(key);
    }

    /** Policies on MPSec's selectors that MPSec does not own (an administrator's, another daemon's). */
    Map<PolicyKey, SecurityPolicy> foreignPolicies() {
        return foreign;
    }

    /** MPSec's SAs for the plan's flows found in the kernel. */
    List<SecurityAssociation> ownedSas() {
        return ownedSas;
    }
}
