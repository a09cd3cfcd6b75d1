package io.mpsec.kernel.pm.strategy;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.MptcpPathManager;
import io.mpsec.kernel.pm.PmEventListener;
import io.mpsec.kernel.pm.SubflowPolicy;
import io.mpsec.kernel.pm.SubflowRefusedException;
import io.mpsec.kernel.sysctl.MptcpSysctls;
import io.mpsec.kernel.sysctl.NetSysctl;
import io.mpsec.pm.PmEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs userspace path-manager strategies in one namespace.
 *
 * <p>{@link #start} switches the namespace to the {@code userspace} path manager (remembering the
 * previous one in /run/mpsec/pm, see {@link PmStateFile}), subscribes to the events and calls the
 * strategies. {@link #close()} restores the previous path manager. While running it holds an
 * exclusive lock on the namespace's state (with its PID), so a second runner in the same namespace is
 * refused with a message naming the owner. If a previous run crashed, the state file is still there
 * and nobody holds the lock: start restores the previous path manager from it at once, and the
 * eventual close restores it again.
 *
 * <p>Problems are never silent: failed strategy callbacks, events lost to a socket-buffer overflow
 * and an event thread that stopped all appear in {@link #errors()} and the log ({@link #failure()}
 * says whether events still flow).
 *
 * <p>Without a running strategy, connections opened while the namespace is in userspace mode stay on
 * their initial path; that is why close restores the previous manager.
 *
 * <p><b>Allowed pairs.</b> Strategies open subflows only between the address pairs of the
 * {@link SubflowPolicy} given at start: {@link #pm()} is a path manager restricted to it, so any
 * {@code SUBFLOW_CREATE} for another pair is refused before it reaches the kernel, counted
 * ({@link #refusedSubflows()}) and reported in {@link #errors()}. With fail-closed secure paths, start
 * the runner with {@code SubflowPolicy.pairs(local, remote)} of the same addresses (the in-kernel join
 * gate refuses the rest on the wire as well). The starts without a policy allow every pair: use them
 * only where no IPsec is configured.
 */
public final class StrategyRunner implements AutoCloseable, PmContext {
    private static final System.Logger LOG = System.getLogger(StrategyRunner.class.getName());

    private final MptcpSysctls sysctls;
    private final PmStateFile state;
    private final PmStateFile.Lock lock;
    private final String previous;
    private final MptcpPathManager pm;
    private final MptcpPathManager restricted;
    private final SubflowPolicy allowed;
    private final AtomicLong refused = new AtomicLong();
    private final PmEventListener events;
    private final List<PmStrategy> strategies;
    private volatile io.mpsec.kernel.rtnl.Rtnetlink rtnl;
    private volatile io.mpsec.kernel.rtnl.RtnlWatcher links;
    private volatile Ticker ticker;
    private final Map<Integer, Boolean> linkUp = new ConcurrentHashMap<>();
    private final Map<Long, TrackedConnection> connections = new ConcurrentHashMap<>();
    private final LocalIds localIds = new LocalIds();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private StrategyRunner(MptcpSysctls sysctls, PmStateFile state, PmStateFile.Lock lock, String previous, MptcpPathManager pm,
            PmEventListener events, List<PmStrategy> strategies, SubflowPolicy allowed) {
        this.sysctls = sysctls;
        this.state = state;
        this.lock = lock;
        this.previous = previous;
        this.pm = pm;
        this.allowed = allowed;
        this.restricted = pm.restrictedTo(allowed, this::refusedSubflow);
        this.events = events;
        this.strategies = List.copyOf(strategies);
    }

    /**
     * Starts {@code strategies} in namespace {@code ns} ({@code null}: this process's namespace),
     * allowing subflows between every address pair ({@link SubflowPolicy#ANY}: only without IPsec).
     */
    public static StrategyRunner start(NetNamespace ns, PmStrategy... strategies) throws IOException {
        return start(ns, PmStateFile.DEFAULT_DIR, SubflowPolicy.ANY, strategies);
    }

    /**
     * Starts {@code strategies} in namespace {@code ns} ({@code null}: this process's namespace); they
     * may open subflows only between the pairs {@code allowed} allows.
     */
    public static StrategyRunner start(NetNamespace ns, SubflowPolicy allowed, PmStrategy... strategies) throws IOException {
        return start(ns, PmStateFile.DEFAULT_DIR, allowed, strategies);
    }

    /** As {@link #start(NetNamespace, PmStrategy...)} with another directory for the state file. */
    public static StrategyRunner start(NetNamespace ns, Path stateDir, PmStrategy... strategies) throws IOException {
        return start(ns, stateDir, SubflowPolicy.ANY, strategies);
    }

    /**
     * As {@link #start(NetNamespace, SubflowPolicy, PmStrategy...)} with another directory for the state file.
     *
     * @throws IllegalStateException when another runner is running in the same namespace
     */
    public static StrategyRunner start(NetNamespace ns, Path stateDir, SubflowPolicy allowed, PmStrategy... strategies)
            throws IOException {
        if (strategies.length == 0) {
            throw new IllegalArgumentException("no strategy given");
        }
        java.util.Objects.requireNonNull(allowed, "allowed subflow pairs (SubflowPolicy.ANY for no restriction)");
        MptcpSysctls sysctls = new MptcpSysctls(new NetSysctl(ns));
        PmStateFile state = new PmStateFile(stateDir, ns == null ? "init_net" : ns.name());
        PmStateFile.Lock lock = state.lock();
        String previous;
        try {
            String current = sysctls.pathManager();
            previous = state.read().orElse(null);
            if (previous != null) {
                // We hold the lock, so no live runner owns this file: the run that wrote it crashed.
                LOG.log(System.Logger.Level.WARNING, "found " + state.path() + " from an earlier run that did not stop cleanly; "
                        + "restoring path manager '" + previous + "' (currently '" + current + "')");
                sysctls.setPathManager(previous);
            } else {
                previous = current;
                state.write(previous);
            }
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        MptcpPathManager pm = null;
        PmEventListener events = null;
        StrategyRunner r = null;
        try {
            pm = MptcpPathManager.open(ns);
            events = PmEventListener.open(ns);
            events.subscribersOnly();
            r = new StrategyRunner(sysctls, state, lock, previous, pm, events, List.of(strategies), allowed);
            StrategyRunner runner = r;
            // Subscribe before switching to the userspace PM, so no connection's CREATED is missed.
            events.subscribe(r::dispatch);
            events.onFailure(ex -> runner.fatal("path-manager events", ex));
            events.onOverrun(() -> runner.error("path-manager events were lost (socket buffer overflow, "
                    + runner.events.overruns() + " times so far); connections created meanwhile get no extra subflows"));
            r.rtnl = io.mpsec.kernel.rtnl.Rtnetlink.open(ns);
            for (io.mpsec.kernel.rtnl.Link l : r.rtnl.links()) {
                r.linkUp.put(l.index(), l.up());
            }
            r.links = io.mpsec.kernel.rtnl.RtnlWatcher.open(ns);
            r.links.subscribe(r::onRtnl);
            r.links.onFailure(ex -> runner.fatal("link and address events", ex));
            r.links.onOverrun(r::resyncLinks);
            long period = Ticker.period(r.strategies);
            r.ticker = period > 0 ? Ticker.start(ns, period, r, r.strategies, r::report) : null;
            sysctls.setPathManager(MptcpSysctls.PM_USERSPACE);
            return r;
        } catch (IOException | RuntimeException e) {
            if (r != null) {
                r.closeRtnl();
            }
            if (events != null) {
                events.close();
            }
            if (pm != null) {
                pm.close();
            }
            try {
                sysctls.setPathManager(previous);
                state.delete();
            } catch (IOException restore) {
                e.addSuppressed(restore);
            }
            lock.close();
            throw e;
        }
    }

    /** The path manager that {@link #close()} restores. */
    public String previousPathManager() {
        return previous;
    }

    /**
     * Problems seen while running, as messages, oldest first: failures of strategy callbacks, lost
     * events, and an event thread that stopped (see {@link #failure()}).
     */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    /**
     * The error that stopped the path-manager or the link event thread, or {@code null} while both
     * run. After a failure the strategies get no more events: close and start the runner again.
     */
    public IOException failure() {
        IOException f = events.failure();
        if (f == null && links != null) {
            f = links.failure();
        }
        return f;
    }

    /** The pairs strategies may open subflows between. */
    public SubflowPolicy allowedPairs() {
        return allowed;
    }

    /** How many subflows strategies asked for outside the allowed pairs (refused, never sent). */
    public long refusedSubflows() {
        return refused.get();
    }

    private void refusedSubflow(SubflowRefusedException e) {
        refused.incrementAndGet();
        error(e.getMessage());
    }

    private void error(String m) {
        errors.add(m);
        LOG.log(System.Logger.Level.WARNING, m);
    }

    private void fatal(String what, IOException ex) {
        if (closed) {
            return;
        }
        String m = what + " stopped: " + ex.getMessage() + "; the strategies receive no more events "
                + "(connections stay on their current subflows): restart the strategy runner";
        errors.add(m);
        LOG.log(System.Logger.Level.ERROR, m, ex);
    }

    /** After lost link events: re-read the links and deliver the changes that were missed. */
    private void resyncLinks() {
        try {
            for (io.mpsec.kernel.rtnl.Link l : rtnl.links()) {
                Boolean was = linkUp.put(l.index(), l.up());
                if (was == null || was != l.up()) {
                    linkChanged(l.index(), l.name(), l.up());
                }
            }
        } catch (IOException | RuntimeException e) {
            error("link events were lost and re-reading the links failed: " + e.getMessage());
        }
    }

    /** The namespace's path manager, restricted to the {@linkplain #allowedPairs() allowed pairs}. */
    @Override
    public MptcpPathManager pm() {
        return restricted;
    }

    @Override
    public ConnectionState connection(long token) {
        TrackedConnection t = connections.get(token);
        return t == null ? null : t.snapshot();
    }

    @Override
    public Collection<ConnectionState> connections() {
        List<ConnectionState> out = new ArrayList<>();
        for (TrackedConnection t : connections.values()) {
            out.add(t.snapshot());
        }
        return out;
    }

    @Override
    public int localId(long token, InetAddress address) {
        TrackedConnection t = connections.get(token);
        if (t != null && address.equals(t.local)) {
            return 0;
        }
        return localIds.idFor(address);
    }

    @Override
    public List<io.mpsec.kernel.rtnl.Address> addresses() throws IOException {
        return rtnl.addresses();
    }

    private void onRtnl(io.mpsec.kernel.rtnl.RtnlEvent e) {
        if (e instanceof io.mpsec.kernel.rtnl.RtnlEvent.LinkChanged lc) {
            boolean up = !lc.removed() && lc.link().up();
            Boolean was = linkUp.put(lc.link().index(), up);
            if (was == null || was != up) {
                linkChanged(lc.link().index(), lc.link().name(), up);
            }
        } else if (e instanceof io.mpsec.kernel.rtnl.RtnlEvent.AddressChanged ac) {
            addressChanged(ac.address(), ac.removed());
        }
    }

    /** Delivers an address change to the strategies (called by the rtnetlink watcher). */
    public synchronized void addressChanged(io.mpsec.kernel.rtnl.Address address, boolean removed) {
        for (PmStrategy s : strategies) {
            try {
                s.onAddress(this, address, removed);
            } catch (IOException | RuntimeException ex) {
                report(s, "address " + address.address().getHostAddress() + (removed ? " removed" : " added"), ex);
            }
        }
    }

    @Override
    public List<io.mpsec.kernel.diag.SubflowProgress> subflowProgress() throws IOException {
        if (ticker == null) {
            throw new IllegalStateException("subflow progress is read only for strategies that tick (PmStrategy.tickMillis)");
        }
        return ticker.read();
    }

    private void closeRtnl() {
        try {
            if (ticker != null) {
                ticker.close();
            }
            if (links != null) {
                links.close();
            }
            if (rtnl != null) {
                rtnl.close();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing rtnetlink: " + e.getMessage());
        }
    }

    /** Delivers a link change to the strategies (called by the rtnetlink watcher). */
    public synchronized void linkChanged(int ifIndex, String name, boolean up) {
        for (PmStrategy s : strategies) {
            try {
                s.onLink(this, ifIndex, name, up);
            } catch (IOException | RuntimeException ex) {
                report(s, "link " + name + (up ? " up" : " down"), ex);
            }
        }
    }

    /** Serialised with {@link #linkChanged}: strategies never see two callbacks at once. */
    private synchronized void dispatch(PmEvent e) {
        track(e);
        for (PmStrategy s : strategies) {
            try {
                EventCalls.deliver(s, this, e);
            } catch (IOException | RuntimeException ex) {
                report(s, e.getClass().getSimpleName(), ex);
            }
        }
        if (e instanceof PmEvent.Closed) {
            connections.remove(e.token());
        }
    }

    /** Also the ticks' report ({@link Ticker}), which run synchronized on this runner as every callback. */
    private void report(PmStrategy s, String what, Exception ex) {
        if (ex instanceof SubflowRefusedException) {
            return; // already counted and reported by refusedSubflow
        }
        String m = s.name() + " on " + what + ": " + ex.getMessage();
        errors.add(m);
        LOG.log(System.Logger.Level.WARNING, m, ex);
    }

    private void track(PmEvent e) {
        if (e instanceof PmEvent.Created c) {
            connections.put(c.token(), new TrackedConnection(c.token(), c.serverSide(), c.endpoints()));
        } else if (e instanceof PmEvent.Established c) {
            connections.computeIfAbsent(c.token(), t -> new TrackedConnection(t, c.serverSide(), c.endpoints()));
        }
        TrackedConnection t = connections.get(e.token());
        if (t != null) {
            t.apply(e);
        }
    }

    /** Stops the strategies and restores the previous path manager. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        closeRtnl();
        try {
            events.close();
        } catch (IOException e) {
            failure = e;
        }
        try {
            pm.close();
        } catch (IOException e) {
            failure = failure == null ? e : failure;
        }
        try {
            sysctls.setPathManager(previous);
            state.delete();
        } finally {
            lock.close();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
