package io.mpsec.agent.doctor;

import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.Selector;
import io.mpsec.ipsec.Template;
import io.mpsec.ipsec.paths.SecurePaths;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.kernel.rtnl.Address;
import io.mpsec.pm.Endpoint;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code xfrm.policies}: policies of others (not MPSec's priority and reqid range) that drop or demand
 * IPsec for this host's addresses: the endpoints' and the interfaces' (loopback and link-local left
 * out). A foreign BLOCK policy matched before MPSec's ({@code priority} lower or equal, lower wins)
 * drops the traffic MPSec would protect: fail. Other foreign BLOCK or {@code level required} policies
 * over those addresses belong to another IPsec setup (an IKE daemon, a firewall script); MPSec's
 * {@code apply()} refuses a selector someone else holds unless {@code takeOver(true)}: warn.
 */
final class XfrmPolicyCheck implements Check {
    @Override
    public String name() {
        return "xfrm.policies";
    }

    @Override
    public List<Finding> run(Target t) throws Exception {
        Set<InetAddress> addrs = new LinkedHashSet<>();
        for (Endpoint e : t.endpoints()) {
            addrs.add(e.address());
        }
        for (Address a : t.addresses()) {
            InetAddress ia = a.address();
            if (!ia.isLoopbackAddress() && !ia.isLinkLocalAddress()) {
                addrs.add(ia);
            }
        }
        List<SecurityPolicy> policies;
        try (XfrmClient xfrm = XfrmClient.open(t.namespace())) {
            policies = xfrm.dumpPolicies();
        }
        List<Map<String, Object>> blocking = new ArrayList<>();
        List<String> fail = new ArrayList<>();
        List<String> warn = new ArrayList<>();
        int own = 0;
        for (SecurityPolicy p : policies) {
            if (isMpsecs(p)) {
                own++;
                continue;
            }
            boolean block = p.action() == SecurityPolicy.Action.BLOCK;
            if (!block && p.templates().stream().noneMatch(Template::required)) {
                continue;
            }
            List<String> covered = new ArrayList<>();
            for (InetAddress a : addrs) {
                if (covers(p, a)) {
                    covered.add(a.getHostAddress());
                }
            }
            if (covered.isEmpty()) {
                continue;
            }
            String desc = describe(p) + " covers " + String.join(", ", covered);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("dir", p.direction().name().toLowerCase(java.util.Locale.ROOT));
            row.put("src", prefix(p.selector().source(), p.selector().sourcePrefix()));
            row.put("dst", prefix(p.selector().destination(), p.selector().destinationPrefix()));
            row.put("priority", p.priority());
            row.put("action", block ? "block" : "required");
            row.put("covers", covered);
            blocking.add(row);
            if (block && p.priority() <= SecurePaths.DEFAULT_PRIORITY) {
                fail.add(desc);
            } else {
                warn.add(desc);
            }
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("policies", policies.size());
        v.put("mpsec_policies", own);
        v.put("addresses", addrs.stream().map(InetAddress::getHostAddress).toList());
        v.put("foreign_blocking", blocking);
        String base = policies.size() + " policies (" + own + " MPSec's) over " + addrs.size() + " local address(es)";
        if (!fail.isEmpty()) {
            return List.of(Finding.of("xfrm.policies", Status.FAIL, "XFRM policies of others", base + "; foreign BLOCK "
                    + "policies matched before MPSec's (priority <= " + SecurePaths.DEFAULT_PRIORITY + ") drop this host's traffic: "
                    + String.join("; ", fail) + (warn.isEmpty() ? "" : "; also " + String.join("; ", warn)),
                    "find who installed them (ip xfrm policy list; an IKE daemon or firewall script) and remove or narrow them: "
                            + t.command("ip xfrm policy delete dir DIR src SRC dst DST"), v));
        }
        if (!warn.isEmpty()) {
            return List.of(Finding.of("xfrm.policies", Status.WARN, "XFRM policies of others", base
                    + "; another IPsec setup holds policies over this host's addresses: " + String.join("; ", warn),
                    "make sure it does not cover the MPSec paths; MPSec's apply() refuses a selector held by another policy "
                            + "unless takeOver(true) is set", v));
        }
        return List.of(Finding.ok("xfrm.policies", "XFRM policies of others", base + "; none of others drops or "
                + "demands IPsec for them", v));
    }

    /** MPSec's own: an ESP template in its reqid range, or a BLOCK at its default priority. */
    static boolean isMpsecs(SecurityPolicy p) {
        if (p.templates().stream().anyMatch(tm -> SecurePaths.isMpsecReqid(tm.reqid()))) {
            return true;
        }
        return p.action() == SecurityPolicy.Action.BLOCK && p.priority() == SecurePaths.DEFAULT_PRIORITY;
    }

    /**
     * Whether the policy applies to traffic of local address {@code a}: as the source of outgoing
     * traffic (dir out) or the destination of incoming traffic (dir in). Forwarded traffic (dir fwd)
     * is not this host's own.
     */
    static boolean covers(SecurityPolicy p, InetAddress a) {
        Selector s = p.selector();
        switch (p.direction()) {
            case OUT:
                return inPrefix(s.source(), s.sourcePrefix(), a);
            case IN:
                return inPrefix(s.destination(), s.destinationPrefix(), a);
            default:
                return false;
        }
    }

    static boolean inPrefix(InetAddress net, int bits, InetAddress a) {
        byte[] n = net.getAddress();
        byte[] x = a.getAddress();
        if (n.length != x.length) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >>> (i % 8);
            if ((n[i / 8] & mask) != (x[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static String describe(SecurityPolicy p) {
        Selector s = p.selector();
        return "dir " + p.direction().name().toLowerCase(java.util.Locale.ROOT) + " src " + prefix(s.source(), s.sourcePrefix())
                + " dst " + prefix(s.destination(), s.destinationPrefix()) + " priority " + p.priority() + " "
                + (p.action() == SecurityPolicy.Action.BLOCK ? "action block" : "level required");
    }

    private static String prefix(InetAddress a, int bits) {
        return a.getHostAddress() + "/" + bits;
    }
}
