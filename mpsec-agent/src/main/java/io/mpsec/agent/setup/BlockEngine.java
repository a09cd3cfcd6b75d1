package io.mpsec.agent.setup;

import io.mpsec.agent.config.MpsecConfig;
import io.mpsec.agent.config.SecurePathsSettings;
import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.xfrm.XfrmException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code mpsec-agent block}: MPSec's BLOCK policies on every configured peer pair, for an early-boot
 * unit that runs before the network, so the peers are never reachable in clear before the agent
 * protects them. They are exactly the kill switch's policies (MPSec's priority, action BLOCK, the
 * secure paths' selectors), so a later {@code SecurePaths.apply()} (setup, the agent) recognises
 * them as its own and replaces them in its policy batch.
 *
 * <p>Idempotent. A pair already protected by MPSec's ESP policies is left alone (blocking it would
 * only interrupt protected traffic); someone else's policy on a selector makes it refuse before any change.
 */
public final class BlockEngine {
    private final PrintStream out;

    public BlockEngine(PrintStream out) {
        this.out = out;
    }

    /** @return the number of policies installed (0: all were in place) */
    public int block(MpsecConfig config, String netns) throws SetupException {
        SecurePathsSettings sp = config.securePaths();
        if (!sp.enabled()) {
            throw new SetupException("securePaths is not enabled in the configuration: there are no peers to block. "
                    + "Nothing was changed.", true);
        }
        Privileges.requireNetAdmin();
        var peer = sp.peers().get(0);
        try (Target t = Target.open(netns)) {
            List<SecurityPolicy> now = t.xfrm().dumpPolicies();
            List<SecurityPolicy> install = new ArrayList<>();
            int kept = 0;
            for (SecurityPolicy want : SecureState.blockPolicies(peer.local(), peer.remote())) {
                SecurityPolicy have = now.stream().filter(p -> p.direction() == want.direction()
                        && p.selector().equals(want.selector())).findFirst().orElse(null);
                if (have == null) {
                    install.add(want);
                } else if (SecureState.isMpsecBlock(have) || SecureState.isMpsecEsp(have)) {
                    kept++;
                } else {
                    throw new SetupException("a policy MPSec did not install exists on " + describe(want) + " (priority "
                            + have.priority() + ", " + have.action() + "); MPSec leaves it alone and changed nothing. Remove it, "
                            + "or configure securePaths.takeOver: true and let setup replace it.", true);
                }
            }
            if (!install.isEmpty()) {
                List<XfrmException> errors = t.xfrm().updatePolicies(install);
                for (int i = 0; i < errors.size(); i++) {
                    if (errors.get(i) != null) {
                        throw new SetupException("installing " + describe(install.get(i)) + " failed: " + errors.get(i).getMessage()
                                + " (the other BLOCK policies of the batch are installed)", false, errors.get(i));
                    }
                }
            }
            for (SecurityPolicy p : install) {
                out.println("+ " + describe(p));
            }
            out.println("namespace " + t.label() + ": " + install.size() + " BLOCK polic" + (install.size() == 1 ? "y" : "ies")
                    + " installed, " + kept + " already in place; traffic to " + SecureState.text(peer.remote())
                    + " is dropped until setup or the agent protects it");
            return install.size();
        } catch (IOException e) {
            throw new SetupException("blocking the peers failed: " + e.getMessage(), false, e);
        }
    }

    private static String describe(SecurityPolicy p) {
        return "xfrm policy " + (p.direction() == Direction.OUT ? "out" : "in") + " " + p.selector().source().getHostAddress()
                + " -> " + p.selector().destination().getHostAddress() + " priority " + p.priority() + " block";
    }
}
