package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.IpsecConfigException;
import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.Mode;
import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.Selector;
import io.mpsec.ipsec.Template;
import io.mpsec.ipsec.keys.DerivedSa;
import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.keys.KeyReuseException;
import io.mpsec.ipsec.keys.SaKeyDerivation;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.ipsec.xfrm.XfrmException;
import io.mpsec.kernel.ffi.Errno;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * IPsec that follows MPTCP: ESP transport-mode SAs and policies for every pair of a local and a
 * remote address, so every subflow is encrypted whichever path it takes.
 *
 * <p>Both hosts build a {@code SecurePaths} from the same master key file with their own addresses
 * as {@code local} and the peer's as {@code remote}; the SA keys and SPIs are derived with HKDF
 * from (master key, generation, source, destination), so both compute matching SAs without talking.
 *
 * <p>Policies: per address pair an OUT policy whose template names this generation's reqid, and an
 * IN policy that accepts any of our ESP SAs from that peer address (reqid 0), so packets of the
 * previous generation still in flight are accepted during a rekey. With {@link Builder#failClosed}
 * (the default) the templates are {@code level required}: if an SA is missing or expired the
 * traffic is dropped, never sent in clear.
 *
 * <p>Rekey is make-before-break: {@link #prepare} installs the next generation's SAs,
 * {@link #activate} switches the OUT policies to them, {@link #retire} removes the old SAs after a
 * grace period. {@link #rekey(long)} runs the three steps. With two hosts, run prepare on both
 * before activate on either, or packets sent on the new SAs are dropped (and retransmitted by TCP)
 * until the peer installs them.
 *
 * <p>Not thread-safe; drive it from one thread (the {@link AutoRekey} thread does so).
 */
public final class SecurePaths implements AutoCloseable {
    /** reqids of MPSec's SAs: base + generation. */
    public static final long REQID_BASE = 0x6d700000L;

    private final XfrmClient xfrm;
    private final List<InetAddress> local;
    private final List<InetAddress> remote;
    private final SaKeyDerivation derivation;
    private final KeyGenerations generations;
    private final boolean failClosed;
    private final long priority;
    private final boolean esn;
    private final int replayWindow;
    private final Lifetime lifetime;
    private final Map<Long, List<PathSa>> installed = new TreeMap<>();
    private final List<SecurityPolicy> policies = new ArrayList<>();
    private long active;

    private SecurePaths(Builder b) {
        this.xfrm = b.xfrm;
        this.local = List.copyOf(b.local);
        this.remote = List.copyOf(b.remote);
        this.derivation = new SaKeyDerivation(b.masterKey, b.aesKeyBits);
        this.generations = b.generations;
        this.failClosed = b.failClosed;
        this.priority = b.priority;
        this.esn = b.esn;
        this.replayWindow = b.replayWindow;
        this.lifetime = b.lifetime != null ? b.lifetime : defaultLifetime(b.esn);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Default lifetimes: a soft EXPIRE after 1 hour or 64 GiB (the signal to rekey), the hard limit
     * 15 minutes or 16 GiB later; without ESN also packet limits below the 32-bit sequence number space.
     */
    public static Lifetime defaultLifetime(boolean esn) {
        long gib = 1L << 30;
        return new Lifetime(64 * gib, 80 * gib, esn ? 0 : 3_000_000_000L, esn ? 0 : 4_000_000_000L, 3600, 4500);
    }

    /** The reqid of a generation's SAs. */
    public static long reqid(long generation) {
        return REQID_BASE + (generation & 0xfffffL);
    }

    /** The address pairs (local, remote) of the same family that get SAs and policies. */
    public List<InetAddress[]> pairs() {
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

    /** The generation the OUT policies use (0 before {@link #apply}). */
    public long activeGeneration() {
        return active;
    }

    /** The SAs installed by this object, per generation. */
    public Map<Long, List<PathSa>> installedSas() {
        Map<Long, List<PathSa>> m = new LinkedHashMap<>();
        installed.forEach((g, l) -> m.put(g, List.copyOf(l)));
        return m;
    }

    /**
     * Installs everything for {@code generation}: SAs, then IN and OUT policies. Fails with
     * {@link KeyReuseException} if this host already installed that generation.
     */
    public void apply(long generation) throws IOException {
        prepare(generation);
        installPolicies(generation);
        active = generation;
    }

    /** {@link #apply(long)} with the generation kept next to the key file. */
    public void apply() throws IOException {
        apply(requireGenerations().current());
    }

    /** Installs the SAs of {@code generation} (both directions of every pair); policies are unchanged. */
    public List<PathSa> prepare(long generation) throws IOException {
        if (installed.containsKey(generation)) {
            throw new KeyReuseException("generation " + generation + " is already installed by this SecurePaths; "
                    + "rekey to generation " + (installed.keySet().stream().mapToLong(Long::longValue).max().orElse(0) + 1));
        }
        if (generations != null) {
            generations.claim(derivation.fingerprint(), generation);
        }
        Set<SaKeyDerivation.Flow> flows = new HashSet<>();
        for (InetAddress[] p : pairs()) {
            flows.add(new SaKeyDerivation.Flow(p[0], p[1]));
            flows.add(new SaKeyDerivation.Flow(p[1], p[0]));
        }
        if (flows.isEmpty()) {
            throw new IpsecConfigException("no local/remote address pair of the same family: local " + local + ", remote " + remote);
        }
        Set<Long> reserved = new HashSet<>();
        installed.values().forEach(l -> l.forEach(s -> reserved.add(s.sa().spi())));
        Map<SaKeyDerivation.Flow, DerivedSa> derived = derivation.deriveAll(generation, flows, reserved);
        List<PathSa> done = new ArrayList<>();
        try {
            for (Map.Entry<SaKeyDerivation.Flow, DerivedSa> e : derived.entrySet()) {
                DerivedSa d = e.getValue();
                SecurityAssociation sa = SecurityAssociation.builder().source(d.source()).destination(d.destination())
                        .spi(d.spi()).reqid(reqid(generation)).mode(Mode.TRANSPORT).algorithm(SaAlgorithm.aesGcm(d.key()))
                        .esn(esn).replayWindow(replayWindow).lifetime(lifetime).build();
                try {
                    xfrm.addSa(sa);
                } catch (XfrmException x) {
                    if (x.errno() == Errno.EEXIST) {
                        throw new KeyReuseException("an SA " + d.source().getHostAddress() + " -> " + d.destination().getHostAddress()
                                + " with SPI 0x" + String.format("%08x", d.spi()) + " (generation " + generation
                                + ") already exists in the kernel: installing it again would reuse its key with a restarted "
                                + "sequence counter. Move both hosts to a new generation (KeyGenerations.advance()) and apply that.");
                    }
                    throw x;
                }
                done.add(new PathSa(generation, sa, local.contains(d.source())));
            }
        } catch (IOException | RuntimeException e) {
            for (PathSa s : done) { // nothing half-applied
                try {
                    xfrm.deleteSa(s.id());
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        installed.put(generation, done);
        return done;
    }

    /** Switches the OUT policies to {@code generation}'s SAs (UPDPOLICY, atomic per policy). */
    public void activate(long generation) throws IOException {
        if (!installed.containsKey(generation)) {
            throw new IllegalStateException("generation " + generation + " has no SAs here; call prepare(" + generation + ") first");
        }
        for (InetAddress[] p : pairs()) {
            xfrm.updatePolicy(outPolicy(p[0], p[1], generation));
        }
        active = generation;
    }

    /** Deletes the SAs of {@code generation} (not the active one). */
    public void retire(long generation) throws IOException {
        if (generation == active) {
            throw new IllegalStateException("generation " + generation + " is active; activate a newer one before retiring it");
        }
        List<PathSa> sas = installed.remove(generation);
        if (sas == null) {
            return;
        }
        for (PathSa s : sas) {
            xfrm.deleteSa(s.id());
        }
    }

    /**
     * Make-before-break rekey to {@code generation}: prepare, activate, wait {@code graceMillis}, and
     * retire every older generation.
     */
    public void rekey(long generation, long graceMillis) throws IOException, InterruptedException {
        long old = active;
        prepare(generation);
        activate(generation);
        Thread.sleep(graceMillis);
        for (Long g : new ArrayList<>(installed.keySet())) {
            if (g != generation && g <= old) {
                retire(g);
            }
        }
    }

    /** Advances the persisted generation and rekeys to it. */
    public long rekey(long graceMillis) throws IOException, InterruptedException {
        long next = requireGenerations().advance();
        rekey(next, graceMillis);
        return next;
    }

    private void installPolicies(long generation) throws IOException {
        for (InetAddress[] p : pairs()) {
            SecurityPolicy out = outPolicy(p[0], p[1], generation);
            SecurityPolicy in = SecurityPolicy.builder().selector(Selector.hosts(p[1], p[0])).direction(Direction.IN)
                    .priority(priority).template(new Template(p[1], p[0], 0, 0, Mode.TRANSPORT, failClosed)).build();
            xfrm.updatePolicy(out);
            policies.add(out);
            xfrm.updatePolicy(in);
            policies.add(in);
        }
    }

    private SecurityPolicy outPolicy(InetAddress l, InetAddress r, long generation) {
        return SecurityPolicy.builder().selector(Selector.hosts(l, r)).direction(Direction.OUT).priority(priority)
                .template(new Template(l, r, 0, reqid(generation), Mode.TRANSPORT, failClosed)).build();
    }

    /** Removes every policy and SA this object installed. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (SecurityPolicy p : policies) {
            try {
                xfrm.deletePolicy(p.selector(), p.direction());
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        policies.clear();
        for (List<PathSa> l : installed.values()) {
            for (PathSa s : l) {
                try {
                    xfrm.deleteSa(s.id());
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
        }
        installed.clear();
        if (first != null) {
            throw first;
        }
    }

    private KeyGenerations requireGenerations() {
        if (generations == null) {
            throw new IllegalStateException("no KeyGenerations configured; pass generations(new KeyGenerations(keyFile))");
        }
        return generations;
    }

    /** Builds a {@link SecurePaths}. */
    public static final class Builder {
        private XfrmClient xfrm;
        private List<InetAddress> local = List.of();
        private List<InetAddress> remote = List.of();
        private SecretBytes masterKey;
        private KeyGenerations generations;
        private int aesKeyBits = 256;
        private boolean failClosed = true;
        private long priority = 100;
        private boolean esn = true;
        private int replayWindow = SecurityAssociation.DEFAULT_REPLAY_WINDOW;
        private Lifetime lifetime;

        public Builder xfrm(XfrmClient v) {
            xfrm = v;
            return this;
        }

        public Builder local(List<InetAddress> v) {
            local = v;
            return this;
        }

        public Builder remote(List<InetAddress> v) {
            remote = v;
            return this;
        }

        public Builder masterKey(SecretBytes v) {
            masterKey = v;
            return this;
        }

        /** The generation store kept next to the key file (records installed generations to refuse reuse). */
        public Builder generations(KeyGenerations v) {
            generations = v;
            return this;
        }

        /** 128 or 256 (default). */
        public Builder aesKeyBits(int v) {
            aesKeyBits = v;
            return this;
        }

        /** Templates {@code level required} (default true): nothing leaves in clear without an SA. */
        public Builder failClosed(boolean v) {
            failClosed = v;
            return this;
        }

        public Builder priority(long v) {
            priority = v;
            return this;
        }

        public Builder esn(boolean v) {
            esn = v;
            return this;
        }

        public Builder replayWindow(int v) {
            replayWindow = v;
            return this;
        }

        public Builder lifetime(Lifetime v) {
            lifetime = v;
            return this;
        }

        public SecurePaths build() {
            if (xfrm == null) {
                throw new IpsecConfigException("SecurePaths needs an XfrmClient for the local namespace");
            }
            if (masterKey == null) {
                throw new IpsecConfigException("SecurePaths needs the master key (MasterKeyFile.load(path))");
            }
            if (local.isEmpty() || remote.isEmpty()) {
                throw new IpsecConfigException("SecurePaths needs at least one local and one remote address");
            }
            if (new HashSet<>(local).size() != local.size() || new HashSet<>(remote).size() != remote.size()) {
                throw new IpsecConfigException("duplicate addresses in local " + local + " or remote " + remote);
            }
            for (InetAddress l : local) {
                if (remote.contains(l)) {
                    throw new IpsecConfigException("address " + l.getHostAddress() + " is both local and remote");
                }
            }
            if (esn && replayWindow == 0) {
                throw new IpsecConfigException("ESN needs a replay window > 0");
            }
            return new SecurePaths(this);
        }
    }
}
