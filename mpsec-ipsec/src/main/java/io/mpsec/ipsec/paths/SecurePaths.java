package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.IpsecConfigException;
import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.keys.SaKeyDerivation;
import io.mpsec.ipsec.paths.PathPlan.PolicyKey;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.ipsec.xfrm.msg.SaId;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * IPsec that follows MPTCP: ESP transport-mode SAs and policies for every pair of a local and a
 * remote address, so every subflow between the configured addresses is encrypted.
 *
 * <p>Both hosts build a {@code SecurePaths} from the same master key file with their own addresses
 * as {@code local} and the peer's as {@code remote}; SA keys and SPIs are derived with HKDF from
 * (master key, generation, addresses, direction), so both compute matching SAs without talking.
 *
 * <h2>The guarantee</h2>
 * While {@link Builder#failClosed} is on (the default), no packet between a configured local and a
 * configured remote address leaves in clear, through any sequence of calls, failures, crashes,
 * rekeys or restarts:
 * <ul>
 *   <li>{@link #apply()} installs the {@code level required} policies of every pair first, in one
 *       netlink batch, and only then the SAs: from the first policy on, traffic between the peers is
 *       encrypted or dropped, never clear. A failure restores exactly the policies MPSec found, and
 *       where there were none (cleartext before) it leaves BLOCK policies: a failed first apply
 *       ends blocked, not in clear.</li>
 *   <li>{@link #close()} is a kill switch: the policies become BLOCK, then the SAs are removed. The
 *       peers stay blocked after the JVM exits. A shutdown hook does the same on a normal exit or
 *       SIGTERM ({@link Builder#killSwitchOnExit}). After {@code kill -9} the last policies and SAs
 *       stay in the kernel: traffic stays encrypted, and once the SAs reach their hard lifetime it
 *       is dropped. A later {@code apply()} (same configuration) picks up either state.</li>
 *   <li>{@link #teardown()} is the only call that removes protection: <b>traffic to these peers may
 *       go in clear afterwards</b>.</li>
 * </ul>
 * Subflows between addresses that are not configured are not covered by these policies; the MPTCP
 * join gate refuses them (see the project's security model).
 *
 * <h2>Ownership</h2>
 * MPSec's policies are those on the configured pairs' selectors with MPSec's priority
 * ({@link Builder#priority}, default {@value #DEFAULT_PRIORITY}) and either BLOCK or an ESP transport
 * template in MPSec's reqid range ({@link #REQID_BASE} + generation); its SAs are those of the
 * configured flows in that reqid range. A policy of anyone else on one of these selectors makes
 * {@code apply()} fail before it changes anything, unless {@link Builder#takeOver} allows replacing
 * it ({@link #teardown()} then puts it back).
 *
 * <h2>Rekeying</h2>
 * Make-before-break, with no coordination between the hosts: inbound SAs are installed
 * {@link Builder#lookahead} generations ahead; a rekey switches only the outbound side
 * ({@link #activate}, {@link #rekeyOutbound}); {@link #maintain} (run by {@link AutoRekey}) follows a
 * peer that sends on a newer generation, rekeys by age and bytes, and retires an old generation only
 * after traffic arrived on a newer one (or its SAs reached their hard lifetime).
 *
 * <p>Methods are synchronized; the {@link AutoRekey} thread and callers may share one instance.
 * After {@link #close()} or {@link #teardown()} every other call fails with
 * {@link IllegalStateException}.
 */
public final class SecurePaths implements AutoCloseable, RekeyTarget {
    /** reqids of MPSec's SAs: base + generation. */
    public static final long REQID_BASE = 0x6d700000L;
    /** Highest generation a master key supports (reqid and SPI carry 20 bits of it). */
    public static final long MAX_GENERATION = 0xfffffL;
    /** MPSec's default policy priority (lower wins; 0x6d70, "mp"). */
    public static final long DEFAULT_PRIORITY = 0x6d70;

    private final XfrmClient xfrm;
    private final PathPlan plan;
    private final KeyGenerations generations;
    private final SaInstaller installer;
    private final PolicySwitch policySwitch;
    private final Lifetime lifetime;
    private final Map<Long, List<PathSa>> installed = new TreeMap<>();
    private final IdleTracker idle = new IdleTracker();
    private final LongSupplier clock;
    private final boolean takeOver;
    private final boolean killSwitchOnExit;
    private final Runnable afterPolicies;
    private final Map<PolicyKey, SecurityPolicy> takenOver = new LinkedHashMap<>();
    private final Map<InetAddress, Long> peerGenerations = new TreeMap<>(SecurePaths::compareAddresses);
    private final boolean learnPeerGeneration;
    private final boolean joinGate;
    private final GenerationLearning learning = new GenerationLearning();
    private final ShutdownHook killSwitch = new ShutdownHook("mpsec-kill-switch");
    private long active;
    private boolean closed;

    private SecurePaths(Builder b) {
        this.xfrm = b.xfrm;
        this.lifetime = b.lifetime != null ? b.lifetime : defaultLifetime(b.esn);
        this.plan = new PathPlan(b.local, b.remote, new SaKeyDerivation(b.masterKey, b.aesKeyBits), b.failClosed,
                b.priority, b.esn, b.replayWindow, lifetime, b.lookahead);
        this.generations = b.generations;
        this.installer = new SaInstaller(xfrm, plan);
        this.policySwitch = new PolicySwitch(xfrm, plan);
        this.clock = b.clock;
        this.takeOver = b.takeOver;
        this.killSwitchOnExit = b.killSwitchOnExit && b.failClosed;
        this.afterPolicies = b.afterPolicies;
        this.learnPeerGeneration = b.learnPeerGeneration;
        this.joinGate = b.joinGate && b.failClosed;
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
        return REQID_BASE + (generation & MAX_GENERATION);
    }

    /** Whether {@code reqid} lies in MPSec's range (an SA or template MPSec installed). */
    public static boolean isMpsecReqid(long reqid) {
        return reqid > REQID_BASE && reqid <= REQID_BASE + MAX_GENERATION;
    }

    /** The address pairs (local, remote) of the same family that get SAs and policies. */
    @Override
    public List<InetAddress[]> pairs() {
        return plan.pairs();
    }

    /**
     * The subflows these secure paths protect: pairs of a configured local and remote address. Give
     * it to {@code StrategyRunner.start(ns, subflowPolicy(), strategies...)} so that no userspace
     * strategy opens a subflow outside the protected pairs.
     */
    public io.mpsec.kernel.pm.SubflowPolicy subflowPolicy() {
        return plan.subflowPolicy();
    }

    /** Whether the policies fail closed ({@code level required}, BLOCK on close). */
    public boolean failClosed() {
        return plan.failClosed();
    }

    /** The generation the OUT policies and outbound SAs use (0 before {@link #apply} and after close). */
    @Override
    public synchronized long activeGeneration() {
        return active;
    }

    /** Whether {@link #close()} or {@link #teardown()} was called. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** The SAs installed or adopted by this object, per generation (inbound and outbound). */
    @Override
    public synchronized Map<Long, List<PathSa>> installedSas() {
        Map<Long, List<PathSa>> m = new LinkedHashMap<>();
        installed.forEach((g, l) -> m.put(g, List.copyOf(l)));
        return m;
    }

    /**
     * Per remote address, the newest generation the peer was seen sending on (inbound SA counters
     * moved), as of the last {@link #maintain}; absent until traffic arrived.
     */
    @Override
    public synchronized Map<InetAddress, Long> peerGenerations() {
        return Map.copyOf(peerGenerations);
    }

    /**
     * {@link #apply(long)} with the next generation this host may use: the one kept next to the key
     * file, or one past the highest this host ever installed (after a restart or re-apply), which is
     * then persisted. Hosts whose generations differ still meet: {@link #maintain} moves the outbound
     * side up to a newer generation the peer sends on.
     */
    public synchronized void apply() throws IOException {
        ensureOpen();
        long next = Math.max(generations.current(), generations.highestInstalled(plan.fingerprint()) + 1);
        apply(next);
    }

    /**
     * Protects every pair with {@code generation}: (1) reads what the kernel holds on MPSec's
     * selectors and refuses foreign policies (unless {@link Builder#takeOver}); (2) installs every
     * pair's OUT and IN policy in one batch ({@code level required} with failClosed: traffic is
     * dropped until its SAs exist); (3) installs the inbound SAs of {@code generation - 1} (a peer that
     * restarted once less) to {@code generation + lookahead}; (4) claims {@code generation} in the reuse
     * ledger and installs its outbound SAs. Then it adopts MPSec's SAs left in the kernel by an
     * earlier run (inbound ones are retired by {@link #maintain} once the peer moved on).
     *
     * <p>On failure the SAs this call created are removed and every policy is put back as it was;
     * a pair that had no policy gets a BLOCK policy with failClosed (removed without). The generation
     * stays claimed, so the next {@link #apply()} moves on.
     */
    public synchronized void apply(long generation) throws IOException {
        ensureOpen();
        if (active != 0) {
            throw new IllegalStateException("already applied (generation " + active + "); use rekeyOutbound() to move on");
        }
        checkGeneration(generation);
        KernelState before = KernelState.read(xfrm, plan);
        if (!before.foreignPolicies().isEmpty() && !takeOver) {
            throw new SaConflictException("policies that MPSec did not install exist on the selectors it needs: "
                    + before.foreignPolicies().values() + ". MPSec leaves them alone and changed nothing. Remove them, give "
                    + "MPSec another priority band only if they are yours, or allow MPSec to replace them with "
                    + "SecurePaths.builder().takeOver(true) (teardown() then restores them).");
        }
        if (joinGate) {
            JoinGate.install(xfrm.namespace()); // before any policy: no join may leave in clear meanwhile
        }
        List<PathSa> created = new ArrayList<>();
        Map<Long, List<PathSa>> got = new TreeMap<>();
        try {
            policySwitch.install(plan.policies(generation));
            afterPolicies.run();
            for (long g = Math.max(1, generation - 1); g <= Math.min(MAX_GENERATION, generation + plan.lookahead()); g++) {
                got.computeIfAbsent(g, k -> new ArrayList<>()).addAll(installer.install(g, false, created));
            }
            generations.claim(plan.fingerprint(), generation);
            got.get(generation).addAll(installer.install(generation, true, created));
        } catch (IOException | RuntimeException e) {
            for (PathSa s : created) {
                try {
                    installer.deleteIfPresent(s.id());
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            policySwitch.restore(before, e);
            throw e;
        }
        active = generation;
        installed.putAll(got);
        takenOver.putAll(before.foreignPolicies());
        adopt(before.ownedSas());
        generations.advanceTo(generation);
        registerKillSwitchHook();
        startWatch();
    }

    /** Installs the inbound SAs of {@code generation} (traffic from the peer) unless present. */
    public synchronized List<PathSa> prepare(long generation) throws IOException {
        ensureOpen();
        checkGeneration(generation);
        return installDirection(generation, false);
    }

    /**
     * Switches the outbound side to {@code generation}: installs its inbound SAs if missing, claims it
     * in the reuse ledger, installs its outbound SAs, switches every OUT policy in one batch
     * (UPDPOLICY), then pre-installs inbound SAs up to {@code generation + lookahead}. If the switch
     * fails, the OUT policies go back to the previous generation (both are encrypted). Older SAs stay
     * until {@link #maintain} or {@link #retire} removes them.
     */
    public synchronized void activate(long generation) throws IOException {
        ensureOpen();
        if (active == 0) {
            throw new IllegalStateException("not applied yet; call apply() first");
        }
        if (generation <= active) {
            throw new IllegalStateException("generation " + generation + " is not newer than the active generation " + active);
        }
        checkGeneration(generation);
        installDirection(generation, false);
        if (!hasDirection(generation, true)) {
            generations.claim(plan.fingerprint(), generation);
            installDirection(generation, true);
        }
        try {
            policySwitch.install(plan.outPolicies(generation));
        } catch (IOException | RuntimeException e) {
            try {
                policySwitch.install(plan.outPolicies(active));
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        active = generation;
        generations.advanceTo(generation);
        installLookahead();
    }

    /** Deletes the SAs of {@code generation} (not the active one); SAs the kernel already removed count as gone. */
    public synchronized void retire(long generation) throws IOException {
        ensureOpen();
        if (generation == active) {
            throw new IllegalStateException("generation " + generation + " is active; activate a newer one before retiring it");
        }
        List<PathSa> sas = installed.get(generation);
        if (sas == null) {
            return;
        }
        for (java.util.Iterator<PathSa> it = sas.iterator(); it.hasNext();) {
            installer.deleteIfPresent(it.next().id());
            it.remove();
        }
        installed.remove(generation);
        idle.forget(generation);
    }

    /**
     * Housekeeping, called periodically (the {@link AutoRekey} thread does):
     * <ol>
     *   <li>reads every generation's inbound counters; when the peer sends on a newer generation than
     *       ours, switches the outbound side to it;</li>
     *   <li>otherwise rekeys when the active outbound SAs reached their soft time or byte limit (in
     *       case a soft EXPIRE notification was lost);</li>
     *   <li>retires each older generation once traffic arrived on a newer one and it then stayed idle
     *       for {@code graceMillis}, or once the kernel removed its SAs (hard expiry);</li>
     *   <li>keeps the inbound SAs installed {@code lookahead} generations ahead.</li>
     * </ol>
     *
     * @return the active generation afterwards
     */
    @Override
    public synchronized long maintain(long graceMillis) throws IOException {
        ensureOpen();
        if (active == 0) {
            return 0;
        }
        long now = clock.getAsLong();
        prepareLearnedGenerations(now);
        long peerNewest = 0;
        boolean dueByUse = false;
        int activeOutLeft = 0;
        for (Map.Entry<Long, List<PathSa>> e : new ArrayList<>(installed.entrySet())) {
            long g = e.getKey();
            long bytes = 0;
            boolean anyLeft = false;
            for (PathSa s : e.getValue()) {
                java.util.Optional<io.mpsec.ipsec.xfrm.SaUsage> c = xfrm.usage(s.id());
                if (c.isEmpty()) {
                    continue;
                }
                anyLeft = true;
                if (!s.outbound()) {
                    bytes += c.get().bytes();
                    if (c.get().bytes() > 0) {
                        peerGenerations.merge(s.sa().source(), g, Math::max);
                    }
                } else if (g == active) {
                    activeOutLeft++;
                    dueByUse |= dueForRekey(c.get());
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
        } else if (dueByUse || activeOutLeft < outboundCount()) {
            // soft limit reached without a (lost) EXPIRE, or the kernel removed an SA at its hard limit
            rekeyOutbound();
        }
        installLookahead();
        pruneProbes(now);
        learning.above(active + plan.lookahead());
        return active;
    }

    /** Installs the inbound SAs of generations the peer was seen sending on (a hint, verified by traffic). */
    private void prepareLearnedGenerations(long now) throws IOException {
        for (long g : learning.unverified(active, installed::containsKey, now)) {
            installDirection(g, false);
        }
    }

    /** Removes learned generations that never carried authenticated traffic (a forged or stale hint). */
    private void pruneProbes(long now) throws IOException {
        for (long g : learning.expired(active + plan.lookahead(), idle::hadTraffic, now)) {
            retire(g);
        }
    }

    /**
     * Why the peer's generation cannot be learned from its packets (no libpcap, no CAP_NET_RAW), or
     * {@code null} when learning works or was not asked for. Without it, hosts meet only when their
     * generations differ by at most {@link Builder#lookahead}.
     */
    public String learningUnavailable() {
        return learning.unavailable();
    }

    private void startWatch() {
        if (!learnPeerGeneration) {
            return;
        }
        List<InetAddress> peers = new ArrayList<>();
        pairs().forEach(p -> {
            if (!peers.contains(p[1])) {
                peers.add(p[1]);
            }
        });
        learning.start(xfrm.namespace(), peers, active + plan.lookahead(), plan.lookahead());
    }

    private void stopWatch() {
        learning.close();
    }

    private int outboundCount() {
        return (int) installed.getOrDefault(active, List.of()).stream().filter(PathSa::outbound).count();
    }

    /** Whether an active outbound SA reached its soft time or byte limit. */
    private boolean dueForRekey(io.mpsec.ipsec.xfrm.SaUsage c) {
        long ageSeconds = c.addTime() > 0 ? System.currentTimeMillis() / 1000 - c.addTime() : 0;
        return (lifetime.softAddSeconds() > 0 && ageSeconds >= lifetime.softAddSeconds())
                || (lifetime.softBytes() > 0 && c.bytes() >= lifetime.softBytes());
    }

    /**
     * Rekeys the outbound side to {@code generation} (make-before-break: the peer already has its
     * inbound SAs installed ahead of time), waits {@code graceMillis} and runs {@link #maintain}.
     */
    public void rekey(long generation, long graceMillis) throws IOException, InterruptedException {
        activate(generation);
        Thread.sleep(graceMillis);
        maintain(graceMillis);
    }

    /** Rekeys the outbound side to the next generation (persisted) without waiting; returns it. */
    @Override
    public synchronized long rekeyOutbound() throws IOException {
        ensureOpen();
        long next = Math.max(active + 1, Math.max(generations.current() + 1, generations.highestInstalled(plan.fingerprint()) + 1));
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

    /**
     * The kill switch. With failClosed: every policy of the configured pairs becomes BLOCK (one
     * batch), then every SA is removed. <b>The peers stay blocked</b> after this object and the JVM
     * are gone, until a later {@link #apply()} protects them again or {@link #teardown()} removes
     * protection. Without failClosed this is {@link #teardown()}. Calling it twice does nothing.
     * Never leaks: if the BLOCK switch fails, the {@code level required} policies still drop traffic
     * once the SAs are gone.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        if (!plan.failClosed()) {
            teardown();
            return;
        }
        closed = true;
        removeKillSwitchHook();
        stopWatch();
        if (active == 0 && installed.isEmpty()) {
            generations.close();
            return; // never protected anything (a failed apply already left BLOCK policies)
        }
        IOException first = null;
        try {
            policySwitch.install(plan.blockPolicies());
        } catch (IOException e) {
            first = e;
        }
        for (List<PathSa> l : installed.values()) {
            for (PathSa s : l) {
                try {
                    installer.deleteIfPresent(s.id());
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
        }
        installed.clear();
        active = 0;
        generations.close();
        if (first != null) {
            throw first;
        }
    }

    /**
     * Removes protection: deletes MPSec's policies on the configured pairs (policies taken over with
     * {@link Builder#takeOver} are put back) and MPSec's SAs for them, whether this object, an earlier
     * run or a kill switch installed them. <b>Traffic to these peers may now go in clear.</b> Works on
     * a new object too (to lift a kill switch left by an earlier process); ends this object.
     */
    public synchronized void teardown() throws IOException {
        closed = true;
        removeKillSwitchHook();
        stopWatch();
        KernelState now = KernelState.read(xfrm, plan);
        IOException first = null;
        for (PolicyKey k : plan.policyKeys()) {
            SecurityPolicy p = now.policy(k);
            if (p == null || !plan.owns(p)) {
                continue;
            }
            try {
                SecurityPolicy previous = takenOver.get(k);
                if (previous != null) {
                    xfrm.updatePolicy(previous);
                } else {
                    xfrm.deletePolicy(k.selector(), k.direction());
                }
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        Set<SaId> ids = new HashSet<>();
        installed.values().forEach(l -> l.forEach(s -> ids.add(s.id())));
        for (SecurityAssociation sa : now.ownedSas()) {
            ids.add(new SaId(sa.source(), sa.destination(), sa.spi()));
        }
        for (SaId id : ids) {
            try {
                installer.deleteIfPresent(id);
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        installed.clear();
        active = 0;
        generations.close();
        try {
            if (joinGate) {
                policySwitch.removeGateIfUnused();
            }
        } catch (IOException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }

    // --- internals ------------------------------------------------------------------------------

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this SecurePaths was closed (kill switch) or torn down; build a new one and "
                    + "apply() it to protect the peers again");
        }
    }

    private static void checkGeneration(long generation) {
        if (generation < 1 || generation > MAX_GENERATION) {
            throw new IllegalArgumentException("generation must be 1.." + MAX_GENERATION + ", got " + generation
                    + (generation > MAX_GENERATION ? "; this master key has used up its generations: rotate it "
                            + "(mpsec keygen, copy to both hosts)" : ""));
        }
    }

    /** Takes over MPSec's SAs of an earlier run: inbound ones until retired, stale outbound ones removed now. */
    private void adopt(List<SecurityAssociation> found) throws IOException {
        Set<SaId> known = new HashSet<>();
        installed.values().forEach(l -> l.forEach(s -> known.add(s.id())));
        for (SecurityAssociation sa : found) {
            SaId id = new SaId(sa.source(), sa.destination(), sa.spi());
            if (known.contains(id)) {
                continue;
            }
            long g = sa.reqid() - REQID_BASE;
            boolean outbound = pairs().stream().anyMatch(p -> p[0].equals(sa.source()));
            if (outbound) {
                installer.deleteIfPresent(id); // no OUT policy points at it any more
            } else {
                installed.computeIfAbsent(g, k -> new ArrayList<>()).add(new PathSa(g, sa, false));
            }
        }
    }

    private boolean hasDirection(long generation, boolean outbound) {
        List<PathSa> have = installed.get(generation);
        return have != null && have.stream().anyMatch(s -> s.outbound() == outbound);
    }

    private List<PathSa> installDirection(long generation, boolean outbound) throws IOException {
        if (hasDirection(generation, outbound)) {
            return installed.get(generation).stream().filter(s -> s.outbound() == outbound).toList();
        }
        List<PathSa> sas = installer.install(generation, outbound, new ArrayList<>());
        installed.computeIfAbsent(generation, k -> new ArrayList<>()).addAll(sas);
        return sas;
    }

    private void installLookahead() throws IOException {
        for (long g = active + 1; g <= Math.min(MAX_GENERATION, active + plan.lookahead()); g++) {
            installDirection(g, false);
        }
    }

    private void registerKillSwitchHook() {
        if (killSwitchOnExit) {
            killSwitch.register(this::closeOnExit);
        }
    }

    private void removeKillSwitchHook() {
        killSwitch.remove();
    }

    /** The shutdown hook: the kill switch, reported on stderr because logging may be gone already. */
    private void closeOnExit() {
        try {
            close();
            System.err.println("mpsec: kill switch engaged on exit: " + pairs().size() + " address pair(s) blocked");
        } catch (IOException | RuntimeException e) {
            System.err.println("mpsec: kill switch on exit incomplete (" + e.getMessage() + "); the level-required policies "
                    + "still drop traffic to the peers");
        }
    }

    private static int compareAddresses(InetAddress a, InetAddress b) {
        return java.util.Arrays.compareUnsigned(a.getAddress(), b.getAddress());
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
        private long priority = DEFAULT_PRIORITY;
        private boolean esn = true;
        private int replayWindow = SecurityAssociation.DEFAULT_REPLAY_WINDOW;
        private Lifetime lifetime;
        private int lookahead = 2;
        private boolean takeOver;
        private boolean killSwitchOnExit = true;
        private boolean learnPeerGeneration = true;
        private boolean joinGate = true;
        private Runnable afterPolicies = () -> { };
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

        /**
         * Required: the generation ledger kept next to the key file (refuses key and SPI reuse). The
         * SecurePaths takes it over and closes it (releasing its lock) in {@link SecurePaths#close()}
         * and {@link SecurePaths#teardown()}.
         */
        public Builder generations(KeyGenerations v) {
            generations = v;
            return this;
        }

        /** 128 or 256 (default). */
        public Builder aesKeyBits(int v) {
            aesKeyBits = v;
            return this;
        }

        /**
         * Fail closed (default true): templates {@code level required}, BLOCK policies on close and
         * after a failed first apply. Off: {@code level use}, and close() removes everything.
         */
        public Builder failClosed(boolean v) {
            failClosed = v;
            return this;
        }

        /** The priority of MPSec's policies (default {@value SecurePaths#DEFAULT_PRIORITY}); part of how MPSec knows its own. */
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

        /** How many generations ahead inbound SAs are installed (default 2, 1..16). */
        public Builder lookahead(int v) {
            lookahead = v;
            return this;
        }

        /**
         * Whether apply() may replace policies of someone else on the configured pairs' selectors
         * (default false: it refuses and changes nothing). {@link SecurePaths#teardown()} puts them back.
         */
        public Builder takeOver(boolean v) {
            takeOver = v;
            return this;
        }

        /** With failClosed, engage the kill switch ({@link SecurePaths#close()}) on JVM exit and SIGTERM (default true). */
        public Builder killSwitchOnExit(boolean v) {
            killSwitchOnExit = v;
            return this;
        }

        /**
         * Learn the peer's key generation from the SPIs of its ESP packets (default true; needs libpcap
         * and CAP_NET_RAW), so hosts whose generations differ by any amount (crash loops) meet within
         * seconds. Without it they meet only when the difference is at most {@link #lookahead}.
         */
        public Builder learnPeerGeneration(boolean v) {
            learnPeerGeneration = v;
            return this;
        }

        /**
         * With failClosed, install the MPTCP join gate ({@link JoinGate}, default true) before any
         * policy: MPTCP joins that are not IPsec-protected (to an address the peer announces, from a
         * new local address) are refused in the kernel instead of leaving in clear. Turning it off
         * leaves such subflows unprotected; only do so when nothing else on the host can open them.
         */
        public Builder joinGate(boolean v) {
            joinGate = v;
            return this;
        }

        /** Test hook: runs right after apply()'s policy batch, before any SA is installed. */
        Builder afterPolicies(Runnable v) {
            afterPolicies = v;
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
            if (generations == null) {
                throw new IpsecConfigException("SecurePaths needs the key generation ledger next to the key file "
                        + "(generations(KeyGenerations.open(keyFile))): without it a restart could reuse a key and SPI");
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
            if (priority < 0 || priority > 0xffffffffL) {
                throw new IpsecConfigException("policy priority must be an unsigned 32-bit value, got " + priority);
            }
            return new SecurePaths(this);
        }
    }
}
