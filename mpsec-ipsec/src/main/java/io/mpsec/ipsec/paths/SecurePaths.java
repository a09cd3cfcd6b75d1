package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.IpsecConfigException;
import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.SecurityPolicy;
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
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * IPsec that follows MPTCP: ESP transport-mode SAs and policies for every pair of a local and a
 * remote address, so every subflow is encrypted whichever path it takes.
 *
 * <p>Both hosts build a {@code SecurePaths} from the same master key file with their own addresses
 * as {@code local} and the peer's as {@code remote}; the SA keys and SPIs are derived with HKDF
 * from (master key, generation, source, destination), so both compute matching SAs without talking.
 *
 * <p>Policies: per address pair an OUT policy whose template names the active generation's reqid,
 * and an IN policy that accepts any of our ESP SAs from that peer address (reqid 0). With
 * {@link Builder#failClosed} (the default) the templates are {@code level required}: if an SA is
 * missing or expired the traffic is dropped, never sent in clear.
 *
 * <p>Rekey is make-before-break and needs no coordination between the hosts: inbound SAs are
 * installed {@link Builder#lookahead} generations ahead (both hosts derive them alike), so when one
 * host switches its outbound side to the next generation ({@link #activate}, {@link #rekeyOutbound})
 * the peer already accepts it. {@link #maintain} (run periodically by {@link AutoRekey}) follows a
 * peer that moved ahead and retires an old generation once its inbound SAs stayed idle for the grace
 * period. Only outbound SAs are recorded in the reuse ledger: installing an outbound SA twice would
 * restart its sequence counter (AES-GCM IV reuse).
 *
 * <p>Methods are synchronized; the {@link AutoRekey} thread and callers may share one instance.
 */
public final class SecurePaths implements AutoCloseable {
    /** reqids of MPSec's SAs: base + generation. */
    public static final long REQID_BASE = 0x6d700000L;

    private final XfrmClient xfrm;
    private final PathPlan plan;
    private final KeyGenerations generations;
    private final Map<Long, List<PathSa>> installed = new TreeMap<>();
    private final IdleTracker idle = new IdleTracker();
    private final LongSupplier clock;
    private final List<SecurityPolicy> policies = new ArrayList<>();
    private long active;

    private SecurePaths(Builder b) {
        this.xfrm = b.xfrm;
        this.plan = new PathPlan(b.local, b.remote, new SaKeyDerivation(b.masterKey, b.aesKeyBits), b.failClosed,
                b.priority, b.esn, b.replayWindow, b.lifetime != null ? b.lifetime : defaultLifetime(b.esn), b.lookahead);
        this.generations = b.generations;
        this.clock = b.clock;
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
        return plan.pairs();
    }

    /** The generation the OUT policies and outbound SAs use (0 before {@link #apply}). */
    public synchronized long activeGeneration() {
        return active;
    }

    /** The SAs installed by this object, per generation (inbound and outbound). */
    public synchronized Map<Long, List<PathSa>> installedSas() {
        Map<Long, List<PathSa>> m = new LinkedHashMap<>();
        installed.forEach((g, l) -> m.put(g, List.copyOf(l)));
        return m;
    }

    /**
     * Installs everything for {@code generation}: inbound SAs of {@code generation - 1} (a peer that
     * restarted once less) to {@code generation + lookahead}, outbound SAs of {@code generation}, then IN and OUT policies.
     * On failure everything this call installed is removed again (the generation stays claimed, so
     * {@link #apply()} moves on to the next one). Fails with {@link KeyReuseException} if this host
     * already installed that generation's outbound SAs.
     */
    public synchronized void apply(long generation) throws IOException {
        if (active != 0) {
            throw new IllegalStateException("already applied (generation " + active + "); use rekey() to move on");
        }
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be >= 1, got " + generation);
        }
        Map<Long, List<PathSa>> before = installedSas();
        try {
            for (long g = Math.max(1, generation - 1); g <= generation + plan.lookahead(); g++) {
                install(g, false);
            }
            install(generation, true);
            installPolicies(generation);
        } catch (IOException | RuntimeException e) {
            undo(before, e);
            throw e;
        }
        active = generation;
    }

    /**
     * {@link #apply(long)} with the next generation this host may use: the one kept next to the key
     * file, or one past the highest this host ever installed (after a restart or re-apply), which is
     * then persisted. Hosts that restarted a different number of times still meet: each accepts
     * inbound SAs up to {@code lookahead} generations ahead, and {@link #maintain} moves the outbound
     * side up to the newest generation the peer sends on.
     */
    public synchronized void apply() throws IOException {
        KeyGenerations g = requireGenerations();
        long next = Math.max(g.current(), g.highestInstalled(plan.fingerprint()) + 1);
        g.advanceTo(next);
        apply(next);
    }

    /**
     * Installs the inbound SAs of {@code generation} (traffic from the peer). Inbound SAs may be
     * installed ahead of time: both hosts derive them alike, and only the sender's sequence counter
     * (the outbound side) must never restart.
     */
    public synchronized List<PathSa> prepare(long generation) throws IOException {
        return install(generation, false);
    }

    /**
     * Switches the outbound side to {@code generation}: installs its outbound SAs (claimed in the
     * reuse ledger first), its inbound SAs if missing, then switches the OUT policies (UPDPOLICY,
     * atomic per policy), and pre-installs the inbound SAs up to {@code generation + lookahead}.
     * Older SAs stay until {@link #maintain} or {@link #retire} removes them.
     */
    public synchronized void activate(long generation) throws IOException {
        if (generation <= active) {
            throw new IllegalStateException("generation " + generation + " is not newer than the active generation " + active);
        }
        install(generation, false);
        install(generation, true);
        for (InetAddress[] p : pairs()) {
            xfrm.updatePolicy(plan.outPolicy(p[0], p[1], generation));
        }
        long previous = active;
        active = generation;
        if (generations != null) {
            generations.advanceTo(generation);
        }
        idle.deactivated(previous, clock.getAsLong());
        for (long g = generation + 1; g <= generation + plan.lookahead(); g++) {
            install(g, false);
        }
    }

    /** Deletes the SAs of {@code generation} (not the active one); SAs the kernel already removed count as gone. */
    public synchronized void retire(long generation) throws IOException {
        if (generation == active) {
            throw new IllegalStateException("generation " + generation + " is active; activate a newer one before retiring it");
        }
        List<PathSa> sas = installed.get(generation);
        if (sas == null) {
            return;
        }
        for (java.util.Iterator<PathSa> it = sas.iterator(); it.hasNext();) {
            deleteIfPresent(it.next().id());
            it.remove();
        }
        installed.remove(generation);
        idle.forget(generation);
    }

    /**
     * Housekeeping, called periodically (the {@link AutoRekey} thread does): when the peer sends on a
     * newer generation than ours (its inbound counters moved), switches the outbound side to it; then
     * retires each older generation whose inbound SAs have carried no new bytes for
     * {@code graceMillis} since it stopped being active (or that the kernel already removed).
     *
     * @return the active generation afterwards
     */
    public synchronized long maintain(long graceMillis) throws IOException {
        long now = clock.getAsLong();
        long peerNewest = 0;
        for (Map.Entry<Long, List<PathSa>> e : new ArrayList<>(installed.entrySet())) {
            long g = e.getKey();
            long bytes = 0;
            boolean anyLeft = false;
            for (PathSa s : e.getValue()) {
                if (!s.outbound()) {
                    java.util.Optional<io.mpsec.ipsec.xfrm.InstalledSa> got = xfrm.getSa(s.id());
                    if (got.isPresent()) {
                        anyLeft = true;
                        bytes += got.get().counters().bytes();
                    }
                }
            }
            idle.observe(g, bytes, now);
            if (bytes > 0 && g > active) {
                peerNewest = Math.max(peerNewest, g);
            }
            if (g < active && idle.retirable(g, anyLeft, now, graceMillis)) {
                retire(g);
            }
        }
        if (peerNewest > active) {
            activate(peerNewest);
        }
        return active;
    }

    /**
     * Rekeys the outbound side to {@code generation} (make-before-break: the peer already has its
     * inbound SAs installed ahead of time), waits {@code graceMillis} and retires the older
     * generations whose inbound SAs stayed idle meanwhile. For timing-independent operation call
     * {@link #activate} and later {@link #maintain} instead.
     */
    public void rekey(long generation, long graceMillis) throws IOException, InterruptedException {
        activate(generation);
        Thread.sleep(graceMillis);
        maintain(graceMillis);
    }

    /** Rekeys the outbound side to the next generation (persisted) without waiting; returns it. */
    public synchronized long rekeyOutbound() throws IOException {
        long next = active + 1;
        if (generations != null) {
            next = Math.max(next, Math.max(generations.current() + 1, generations.highestInstalled(plan.fingerprint()) + 1));
        }
        activate(next);
        return next;
    }

    /** Advances the persisted generation and rekeys to it: {@link #rekeyOutbound}, wait, {@link #maintain}. */
    public long rekey(long graceMillis) throws IOException, InterruptedException {
        long next = rekeyOutbound();
        Thread.sleep(graceMillis);
        maintain(graceMillis);
        return next;
    }

    /** Installs one direction's SAs of {@code generation} unless already installed; returns them. */
    private List<PathSa> install(long generation, boolean outbound) throws IOException {
        List<PathSa> have = installed.computeIfAbsent(generation, g -> new ArrayList<>());
        if (have.stream().anyMatch(s -> s.outbound() == outbound)) {
            return have.stream().filter(s -> s.outbound() == outbound).toList();
        }
        if (outbound && generations != null) {
            generations.claim(plan.fingerprint(), generation);
        }
        Map<SaKeyDerivation.Flow, DerivedSa> derived = plan.derive(generation);
        List<PathSa> done = new ArrayList<>();
        try {
            for (DerivedSa d : derived.values()) {
                if (plan.isOutbound(d) != outbound) {
                    d.key().wipe();
                    continue;
                }
                SecurityAssociation sa = plan.sa(d, generation, outbound);
                try {
                    xfrm.addSa(sa);
                } catch (XfrmException x) {
                    if (x.errno() == Errno.EEXIST && !outbound) {
                        // left behind by a crash: the same derived inbound SA; replacing it restarts only
                        // the replay window, never a sender's sequence counter
                        xfrm.updateSa(sa);
                    } else if (x.errno() == Errno.EEXIST) {
                        throw new KeyReuseException("an SA " + d.source().getHostAddress() + " -> " + d.destination().getHostAddress()
                                + " with SPI 0x" + String.format("%08x", d.spi()) + " (generation " + generation
                                + ") already exists in the kernel: installing it again would reuse its key with a restarted "
                                + "sequence counter. Remove MPSec's stale SAs (ip xfrm state deleteall reqid ...) or move both "
                                + "hosts to a new generation (KeyGenerations.advance()) and apply that.");
                    } else {
                        throw x;
                    }
                }
                done.add(new PathSa(generation, sa, outbound));
            }
        } catch (IOException | RuntimeException e) {
            for (PathSa s : done) { // nothing half-applied
                try {
                    deleteIfPresent(s.id());
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (have.isEmpty()) {
                installed.remove(generation);
            }
            throw e;
        }
        have.addAll(done);
        return done;
    }

    private void deleteIfPresent(io.mpsec.ipsec.xfrm.msg.SaId id) throws IOException {
        try {
            xfrm.deleteSa(id);
        } catch (XfrmException x) {
            if (x.errno() != Errno.ESRCH && x.errno() != Errno.ENOENT) {
                throw x;
            }
        }
    }

    /** Removes the SAs and policies installed since {@code before} (a failed apply). */
    private void undo(Map<Long, List<PathSa>> before, Exception cause) {
        for (SecurityPolicy p : new ArrayList<>(policies)) {
            try {
                xfrm.deletePolicy(p.selector(), p.direction());
            } catch (IOException suppressed) {
                cause.addSuppressed(suppressed);
            }
        }
        policies.clear();
        for (Map.Entry<Long, List<PathSa>> e : new ArrayList<>(installed.entrySet())) {
            List<PathSa> keep = before.getOrDefault(e.getKey(), List.of());
            for (PathSa s : e.getValue()) {
                if (!keep.contains(s)) {
                    try {
                        deleteIfPresent(s.id());
                    } catch (IOException suppressed) {
                        cause.addSuppressed(suppressed);
                    }
                }
            }
            if (keep.isEmpty()) {
                installed.remove(e.getKey());
            } else {
                installed.put(e.getKey(), new ArrayList<>(keep));
            }
        }
    }

    private void installPolicies(long generation) throws IOException {
        for (InetAddress[] p : pairs()) {
            SecurityPolicy out = plan.outPolicy(p[0], p[1], generation);
            SecurityPolicy in = plan.inPolicy(p[0], p[1]);
            policies.add(out);
            xfrm.updatePolicy(out);
            policies.add(in);
            xfrm.updatePolicy(in);
        }
    }

    /** Removes every policy and SA this object installed. */
    @Override
    public synchronized void close() throws IOException {
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
                    deleteIfPresent(s.id());
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
        private int lookahead = 2;
        private LongSupplier clock = () -> System.nanoTime() / 1_000_000L;

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

        /** How many generations ahead inbound SAs are installed (default 2, at least 1). */
        public Builder lookahead(int v) {
            lookahead = v;
            return this;
        }

        /** Milliseconds clock for {@link SecurePaths#maintain} (tests); default monotonic time. */
        Builder clock(LongSupplier v) {
            clock = v;
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
            if (lookahead < 1 || lookahead > 16) {
                throw new IpsecConfigException("lookahead must be 1..16 generations, got " + lookahead);
            }
            return new SecurePaths(this);
        }
    }
}
