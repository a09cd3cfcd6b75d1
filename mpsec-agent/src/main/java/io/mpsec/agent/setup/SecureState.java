package io.mpsec.agent.setup;

import io.mpsec.agent.setup.NetState.PolicyEntry;
import io.mpsec.agent.setup.NetState.SecureEntry;
import io.mpsec.agent.setup.NetState.TemplateEntry;
import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.Mode;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.Selector;
import io.mpsec.ipsec.Template;
import io.mpsec.ipsec.paths.JoinGate;
import io.mpsec.ipsec.paths.SecurePaths;
import io.mpsec.ipsec.xfrm.InstalledSa;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The xfrm side of the secure paths as setup sees it: the selectors of every (local, remote) pair
 * (OUT local->remote, IN remote->local, full-length prefixes: what SecurePaths installs), the
 * policies the kernel holds on them, and whether they are MPSec's protection (an ESP template with
 * MPSec's priority and reqid range, and the outbound SA it points at) or MPSec's BLOCK.
 */
final class SecureState {
    private SecureState() {
    }

    /** The pairs of the same family, as SecurePaths forms them. */
    static List<InetAddress[]> pairs(List<InetAddress> local, List<InetAddress> remote) {
        List<InetAddress[]> out = new ArrayList<>();
        for (InetAddress l : local) {
            for (InetAddress r : remote) {
                if (l.getClass() == r.getClass()) {
                    out.add(new InetAddress[] {l, r});
                }
            }
        }
        return out;
    }

    /** The (direction, selector) of every policy, in a fixed order: per pair OUT then IN. */
    static List<Object[]> keys(List<InetAddress> local, List<InetAddress> remote) {
        List<Object[]> keys = new ArrayList<>();
        for (InetAddress[] p : pairs(local, remote)) {
            keys.add(new Object[] {Direction.OUT, Selector.hosts(p[0], p[1])});
            keys.add(new Object[] {Direction.IN, Selector.hosts(p[1], p[0])});
        }
        return keys;
    }

    static SecureEntry read(Target t, List<InetAddress> local, List<InetAddress> remote) throws IOException {
        List<SecurityPolicy> all = t.xfrm().dumpPolicies();
        List<InstalledSa> sas = t.xfrm().dumpSas();
        List<PolicyEntry> found = new ArrayList<>();
        boolean protectedAll = true;
        for (Object[] k : keys(local, remote)) {
            SecurityPolicy p = all.stream().filter(x -> x.direction() == k[0] && x.selector().equals(k[1])).findFirst().orElse(null);
            if (p == null) {
                protectedAll = false;
                continue;
            }
            found.add(entry(p));
            protectedAll &= isMpsecEsp(p) && (p.direction() != Direction.OUT || hasOutboundSa(sas, p));
        }
        return new SecureEntry(protectedAll, found, gateInstalled(t), text(local), text(remote));
    }

    /** MPSec's ESP policy: its priority, one transport template, reqid 0 (IN) or in MPSec's range (OUT). */
    static boolean isMpsecEsp(SecurityPolicy p) {
        if (p.priority() != SecurePaths.DEFAULT_PRIORITY || p.action() != SecurityPolicy.Action.ALLOW || p.templates().size() != 1) {
            return false;
        }
        Template tm = p.templates().get(0);
        return tm.mode() == Mode.TRANSPORT && (p.direction() == Direction.IN ? tm.reqid() == 0 : SecurePaths.isMpsecReqid(tm.reqid()));
    }

    /** MPSec's kill-switch policy: its priority, BLOCK, no template. */
    static boolean isMpsecBlock(SecurityPolicy p) {
        return p.priority() == SecurePaths.DEFAULT_PRIORITY && p.action() == SecurityPolicy.Action.BLOCK && p.templates().isEmpty();
    }

    private static boolean hasOutboundSa(List<InstalledSa> sas, SecurityPolicy out) {
        long reqid = out.templates().get(0).reqid();
        return sas.stream().map(InstalledSa::sa).filter(java.util.Objects::nonNull).anyMatch((SecurityAssociation sa) ->
                sa.reqid() == reqid && sa.source().equals(out.selector().source()) && sa.destination().equals(out.selector().destination()));
    }

    static boolean gateInstalled(Target t) throws IOException {
        return JoinGate.of(t.namespace()).installed();
    }

    static PolicyEntry entry(SecurityPolicy p) {
        List<TemplateEntry> ts = p.templates().stream().map(x -> new TemplateEntry(x.source().getHostAddress(),
                x.destination().getHostAddress(), x.spi(), x.reqid(), x.mode().name(), x.required())).toList();
        return new PolicyEntry(p.direction().name(), p.selector().source().getHostAddress(),
                p.selector().destination().getHostAddress(), p.priority(), p.action().name(), ts);
    }

    static SecurityPolicy policy(PolicyEntry e) throws IOException {
        SecurityPolicy.Builder b = SecurityPolicy.builder()
                .selector(Selector.hosts(InetAddress.getByName(e.source()), InetAddress.getByName(e.destination())))
                .direction(Direction.valueOf(e.direction())).priority(e.priority()).action(SecurityPolicy.Action.valueOf(e.action()));
        for (TemplateEntry x : e.templates()) {
            b.template(new Template(InetAddress.getByName(x.source()), InetAddress.getByName(x.destination()), x.spi(), x.reqid(),
                    Mode.valueOf(x.mode()), x.required()));
        }
        return b.build();
    }

    /** MPSec's BLOCK policies for every pair (what the kill switch and {@code mpsec-agent block} install). */
    static List<SecurityPolicy> blockPolicies(List<InetAddress> local, List<InetAddress> remote) {
        List<SecurityPolicy> out = new ArrayList<>();
        for (Object[] k : keys(local, remote)) {
            out.add(SecurityPolicy.builder().selector((Selector) k[1]).direction((Direction) k[0])
                    .priority(SecurePaths.DEFAULT_PRIORITY).action(SecurityPolicy.Action.BLOCK).build());
        }
        return out;
    }

    static List<String> text(List<InetAddress> a) {
        return a.stream().map(InetAddress::getHostAddress).toList();
    }

    static List<InetAddress> addresses(List<String> a) throws IOException {
        List<InetAddress> out = new ArrayList<>();
        for (String s : a) {
            out.add(InetAddress.getByName(s)); // literals written by setup itself: never a lookup
        }
        return out;
    }
}
