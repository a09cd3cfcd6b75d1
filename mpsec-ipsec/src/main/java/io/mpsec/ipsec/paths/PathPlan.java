package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.IpsecConfigException;
import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.Mode;
import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.Selector;
import io.mpsec.ipsec.Template;
import io.mpsec.ipsec.keys.DerivedSa;
import io.mpsec.ipsec.keys.SaKeyDerivation;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@link SecurePaths} installs, as pure values: the address pairs, each generation's derived
 * SAs and the policies. Nothing here talks to the kernel; both hosts compute the same plan from the
 * same master key and generation.
 */
final class PathPlan {
    private final List<InetAddress> local;
    private final List<InetAddress> remote;
    private final SaKeyDerivation derivation;
    private final boolean failClosed;
    private final long priority;
    private final boolean esn;
    private final int replayWindow;
    private final Lifetime lifetime;
    private final int lookahead;

    PathPlan(List<InetAddress> local, List<InetAddress> remote, SaKeyDerivation derivation, boolean failClosed,
             long priority, boolean esn, int replayWindow, Lifetime lifetime, int lookahead) {
        this.local = List.copyOf(local);
        this.remote = List.copyOf(remote);
        this.derivation = derivation;
        this.failClosed = failClosed;
        this.priority = priority;
        this.esn = esn;
        this.replayWindow = replayWindow;
        this.lifetime = lifetime;
        this.lookahead = lookahead;
    }

    int lookahead() {
        return lookahead;
    }

    /** The non-secret fingerprint of the master key, which keys the reuse ledger. */
    String fingerprint() {
        return derivation.fingerprint();
    }

    /** The address pairs (local, remote) of the same family that get SAs and policies. */
    List<InetAddress[]> pairs() {
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

    /** Whether a derived SA is one this host sends on. */
    boolean isOutbound(DerivedSa d) {
        return local.contains(d.source());
    }

    /**
     * The SAs of {@code generation} for every flow, with SPIs distinct within the generation (the SPI
     * carries the generation in its top 20 bits, so generations never collide); depends only on (key,
     * generation, addresses), so both hosts derive the same whatever they have installed.
     */
    Map<SaKeyDerivation.Flow, DerivedSa> derive(long generation) {
        Set<SaKeyDerivation.Flow> flows = new HashSet<>();
        for (InetAddress[] p : pairs()) {
            flows.add(new SaKeyDerivation.Flow(p[0], p[1]));
            flows.add(new SaKeyDerivation.Flow(p[1], p[0]));
        }
        if (flows.isEmpty()) {
            throw new IpsecConfigException("no local/remote address pair of the same family: local " + local + ", remote " + remote);
        }
        return derivation.deriveAll(generation, flows);
    }

    /** The transport-mode SA for a derived flow of {@code generation}. */
    SecurityAssociation sa(DerivedSa d, long generation, boolean outbound) {
        return SecurityAssociation.builder().source(d.source()).destination(d.destination())
                .spi(d.spi()).reqid(SecurePaths.reqid(generation)).mode(Mode.TRANSPORT).algorithm(SaAlgorithm.aesGcm(d.key()))
                .esn(esn).replayWindow(replayWindow).lifetime(outbound ? lifetime : inboundLifetime()).build();
    }

    /**
     * Inbound SAs are installed up to {@code lookahead} generations before the peer sends on them, so
     * their time limits are stretched by {@code lookahead + 2} (the sender's outbound SA, installed
     * later, reaches its own limits first); byte and packet limits count use and stay as they are.
     */
    private Lifetime inboundLifetime() {
        long f = lookahead + 2L;
        return new Lifetime(lifetime.softBytes(), lifetime.hardBytes(), lifetime.softPackets(), lifetime.hardPackets(),
                lifetime.softAddSeconds() * f, lifetime.hardAddSeconds() * f);
    }

    /** The OUT policy of a pair, pointing at {@code generation}'s SAs by reqid. */
    SecurityPolicy outPolicy(InetAddress l, InetAddress r, long generation) {
        return SecurityPolicy.builder().selector(Selector.hosts(l, r)).direction(Direction.OUT).priority(priority)
                .template(new Template(l, r, 0, SecurePaths.reqid(generation), Mode.TRANSPORT, failClosed)).build();
    }

    /** The IN policy of a pair (any generation's SA matches). */
    SecurityPolicy inPolicy(InetAddress l, InetAddress r) {
        return SecurityPolicy.builder().selector(Selector.hosts(r, l)).direction(Direction.IN)
                .priority(priority).template(new Template(r, l, 0, 0, Mode.TRANSPORT, failClosed)).build();
    }

    boolean failClosed() {
        return failClosed;
    }

    long priority() {
        return priority;
    }

    /** Every policy of {@code generation}: per pair its OUT and IN policy, in a fixed order. */
    List<SecurityPolicy> policies(long generation) {
        List<SecurityPolicy> out = new ArrayList<>();
        for (InetAddress[] p : pairs()) {
            out.add(outPolicy(p[0], p[1], generation));
            out.add(inPolicy(p[0], p[1]));
        }
        return out;
    }

    /** The OUT policies of every pair, pointing at {@code generation}'s SAs. */
    List<SecurityPolicy> outPolicies(long generation) {
        List<SecurityPolicy> out = new ArrayList<>();
        for (InetAddress[] p : pairs()) {
            out.add(outPolicy(p[0], p[1], generation));
        }
        return out;
    }

    /** The subflows these pairs protect: a configured local with a configured remote address. */
    io.mpsec.kernel.pm.SubflowPolicy subflowPolicy() {
        return io.mpsec.kernel.pm.SubflowPolicy.pairs(local, remote);
    }

    /** The kill-switch form of {@link #policies}: the same selectors, action BLOCK. */
    List<SecurityPolicy> blockPolicies() {
        List<SecurityPolicy> out = new ArrayList<>();
        for (SecurityPolicy p : policies(1)) {
            out.add(block(p.selector(), p.direction()));
        }
        return out;
    }

    /** A BLOCK policy with MPSec's priority: drops matching traffic (counted in XfrmOutPolBlock / XfrmInPolBlock). */
    SecurityPolicy block(Selector selector, Direction direction) {
        return SecurityPolicy.builder().selector(selector).direction(direction).priority(priority)
                .action(SecurityPolicy.Action.BLOCK).build();
    }

    /** The (direction, selector) of every policy MPSec manages for these pairs. */
    Set<PolicyKey> policyKeys() {
        Set<PolicyKey> keys = new java.util.LinkedHashSet<>();
        for (SecurityPolicy p : policies(1)) {
            keys.add(PolicyKey.of(p));
        }
        return keys;
    }

    /**
     * Whether a policy found in the kernel is MPSec's: one of these pairs' selectors, MPSec's priority,
     * and either BLOCK (the kill switch) or ESP transport templates whose reqid is 0 (IN) or in
     * MPSec's reqid range. Anything else on the same selector belongs to someone else.
     */
    boolean owns(SecurityPolicy p) {
        if (!policyKeys().contains(PolicyKey.of(p)) || p.priority() != priority) {
            return false;
        }
        if (p.action() == SecurityPolicy.Action.BLOCK) {
            return p.templates().isEmpty();
        }
        if (p.templates().size() != 1) {
            return false;
        }
        Template t = p.templates().get(0);
        return t.mode() == Mode.TRANSPORT && t.spi() == 0
                && (p.direction() == Direction.IN ? t.reqid() == 0 : SecurePaths.isMpsecReqid(t.reqid()));
    }

    /** Whether an SA found in the kernel is MPSec's for these pairs: MPSec's reqid range and one of the flows. */
    boolean owns(SecurityAssociation sa) {
        if (!SecurePaths.isMpsecReqid(sa.reqid()) || sa.mode() != Mode.TRANSPORT) {
            return false;
        }
        for (InetAddress[] p : pairs()) {
            if ((sa.source().equals(p[0]) && sa.destination().equals(p[1])) || (sa.source().equals(p[1]) && sa.destination().equals(p[0]))) {
                return true;
            }
        }
        return false;
    }

    /** Where a policy lives in the SPD: the kernel keys policies by direction and selector (not priority). */
    record PolicyKey(Direction direction, Selector selector) {
        static PolicyKey of(SecurityPolicy p) {
            return new PolicyKey(p.direction(), p.selector());
        }

        @Override
        public String toString() {
            return direction + " " + selector.source().getHostAddress() + " -> " + selector.destination().getHostAddress();
        }
    }
}
