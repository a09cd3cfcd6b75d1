package io.mpsec.agent.setup;

import io.mpsec.agent.setup.NetState.PolicyEntry;
import io.mpsec.agent.setup.NetState.SecureEntry;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.paths.JoinGate;
import io.mpsec.ipsec.paths.SecurePaths;
import io.mpsec.ipsec.xfrm.InstalledSa;
import io.mpsec.ipsec.xfrm.XfrmException;
import io.mpsec.ipsec.xfrm.msg.SaId;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Puts the secure paths' policies and join gate back as a snapshot recorded them ({@code --undo}):
 * each selector gets exactly its recorded policy (or none), and when no recorded policy is an ESP one
 * MPSec's SAs on these pairs are removed. Where the snapshot had no policy, traffic to the peer goes
 * in clear afterwards ({@link #opensClear()}).
 */
final class SecureRestoreChange implements Change {
    private final SecureEntry current;
    private final SecureEntry wanted;

    SecureRestoreChange(SecureEntry current, SecureEntry wanted) {
        this.current = current;
        this.wanted = wanted;
    }

    /** Whether a selector that has a policy now has none in the snapshot: the peers would be in clear. */
    boolean opensClear() {
        return current.policies().stream().anyMatch(c -> find(wanted, c) == null);
    }

    static boolean needed(SecureEntry current, SecureEntry wanted) {
        return !new java.util.HashSet<>(current.policies()).equals(new java.util.HashSet<>(wanted.policies()))
                || current.joinGate() != wanted.joinGate();
    }

    private static PolicyEntry find(SecureEntry s, PolicyEntry like) {
        return s.policies().stream().filter(p -> p.direction().equals(like.direction()) && p.source().equals(like.source())
                && p.destination().equals(like.destination())).findFirst().orElse(null);
    }

    @Override
    public List<String> diff() {
        List<String> d = new ArrayList<>();
        for (PolicyEntry c : current.policies()) {
            PolicyEntry w = find(wanted, c);
            if (!c.equals(w)) {
                d.add("- " + c);
                d.add("+ " + (w == null ? "xfrm policy " + c.direction().toLowerCase(java.util.Locale.ROOT) + " " + c.source() + " -> "
                        + c.destination() + ": none (cleartext)" : w.toString()));
            }
        }
        for (PolicyEntry w : wanted.policies()) {
            if (find(current, w) == null) {
                d.add("- xfrm policy " + w.direction().toLowerCase(java.util.Locale.ROOT) + " " + w.source() + " -> " + w.destination()
                        + ": none");
                d.add("+ " + w);
            }
        }
        if (current.joinGate() != wanted.joinGate()) {
            d.add((wanted.joinGate() ? "+ " : "- ") + "nftables table inet mpsec_gate (MPTCP join gate)");
        }
        return d;
    }

    @Override
    public void apply(Target t) throws IOException {
        restore(t, current, wanted);
    }

    @Override
    public void revert(Target t) throws IOException {
        restore(t, wanted, current); // policies and gate only: removed SAs do not come back (level required drops)
    }

    private static void restore(Target t, SecureEntry from, SecureEntry to) throws IOException {
        List<SecurityPolicy> update = new ArrayList<>();
        for (PolicyEntry w : to.policies()) {
            if (!w.equals(find(from, w))) {
                update.add(SecureState.policy(w));
            }
        }
        if (!update.isEmpty()) {
            for (XfrmException e : t.xfrm().updatePolicies(update)) {
                if (e != null) {
                    throw e;
                }
            }
        }
        for (PolicyEntry c : from.policies()) {
            if (find(to, c) == null) {
                SecurityPolicy p = SecureState.policy(c);
                t.xfrm().deletePolicy(p.selector(), p.direction());
            }
        }
        boolean keepSas = to.policies().stream().anyMatch(p -> p.action().equals("ALLOW") && !p.templates().isEmpty());
        if (!keepSas) {
            List<InetAddress> local = SecureState.addresses(to.local());
            List<InetAddress> remote = SecureState.addresses(to.remote());
            for (InstalledSa s : t.xfrm().dumpSas()) {
                SecurityAssociation sa = s.sa();
                if (sa != null && SecurePaths.isMpsecReqid(sa.reqid()) && onPairs(sa, local, remote)) {
                    t.xfrm().deleteSa(new SaId(sa.source(), sa.destination(), sa.spi()));
                }
            }
        }
        if (from.joinGate() != to.joinGate()) {
            if (to.joinGate()) {
                JoinGate.install(t.namespace());
            } else {
                JoinGate.of(t.namespace()).remove();
            }
        }
    }

    private static boolean onPairs(SecurityAssociation sa, List<InetAddress> local, List<InetAddress> remote) {
        for (InetAddress[] p : SecureState.pairs(local, remote)) {
            if (Objects.equals(sa.source(), p[0]) && Objects.equals(sa.destination(), p[1])
                    || Objects.equals(sa.source(), p[1]) && Objects.equals(sa.destination(), p[0])) {
                return true;
            }
        }
        return false;
    }
}
