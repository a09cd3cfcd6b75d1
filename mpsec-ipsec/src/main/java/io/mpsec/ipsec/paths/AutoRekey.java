package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.ipsec.xfrm.XfrmEvents;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keeps a {@link SecurePaths} rekeyed, unattended, for as long as it runs.
 *
 * <h2>What it does</h2>
 * <ul>
 *   <li>On a soft EXPIRE (XFRM_MSG_EXPIRE with {@code hard == 0}) of one of the active generation's
 *       outbound SAs it calls {@link SecurePaths#rekeyOutbound()}: the soft limits (time, bytes,
 *       packets) come well before the hard ones, so the new generation is in place before the old
 *       SAs die. The peer already has the new generation's inbound SAs (installed ahead), so the
 *       hosts need not rekey at the same moment. Expires of other SAs and hard expires are ignored.</li>
 *   <li>About once a second it runs {@link SecurePaths#maintain}: follows a peer that moved ahead and
 *       retires an old generation once traffic arrived on a newer one and it then stayed idle for
 *       {@code graceMillis} (idleness alone proves nothing: the peer may speak first on it later).</li>
 *   <li>At the same tick it compares the active generation's age with its outbound SAs' soft time
 *       limit. The age counts from when this thread first saw the generation active, so it never
 *       exceeds the SAs' real age and the kernel's EXPIRE normally comes first; a generation that is
 *       2 s past its soft limit (less when the hard limit is closer) without an EXPIRE is rekeyed
 *       ({@link RekeyHealth.Cause#MISSED_EXPIRE}). Byte and packet soft limits are only seen through
 *       the kernel's EXPIRE and whatever {@link SecurePaths#maintain} checks.</li>
 * </ul>
 *
 * <h2>What it survives</h2>
 * Nothing but {@link #close()} ends the thread:
 * <ul>
 *   <li>An event burst that overflows the socket's receive buffer (ENOBUFS; the buffer is 4 MiB by
 *       default, {@link io.mpsec.kernel.netlink.NotificationPump}): counted, and since a soft EXPIRE
 *       may have been lost, {@link SecurePaths#maintain} and the soft-limit check run at once (at
 *       most once a second).</li>
 *   <li>Notifications that do not decode (counted and skipped), exceptions from the callbacks
 *       (counted), and exceptions from {@link SecurePaths} ({@code IOException}, any
 *       {@code RuntimeException}, even an {@code Error}): each failed attempt (rekey, housekeeping,
 *       reopening the subscription) is retried after its own backoff, 1 s doubling to 30 s, reset by
 *       a success. A soft EXPIRE that arrives while SecurePaths cannot say which generation is
 *       active is taken as a reason to rekey (once too often is harmless, once too few is not).</li>
 *   <li>A fatal error of the event socket: the subscription is closed and opened again with the same
 *       backoff (the {@link Builder#subscriptions} factory, or {@link XfrmEvents#reopen()}), and the
 *       housekeeping and soft-limit check go on on their timer meanwhile; after the reopen the state
 *       is re-checked as after an overrun.</li>
 * </ul>
 *
 * <h2>Health</h2>
 * {@link #health()} returns a {@link RekeyHealth} snapshot: {@code RUNNING} while subscribed and
 * everything's last attempt succeeded, {@code DEGRADED} while something is being retried or the
 * subscription reopened, {@code STOPPED} after {@link #close()}; the last rekey (time, generation,
 * cause), the last error (one line, no key material), the event counters. Health listeners
 * ({@link Builder#onHealth}, {@link #onHealth}) hear of every change of state, generation, rekeys,
 * errors or restarts at once and of counter changes at most once a second.
 *
 * <h2>Threading</h2>
 * One daemon thread, {@code mpsec-auto-rekey}, makes every {@code SecurePaths} call and runs the
 * {@code onRekey} and health callbacks (keep them short; an exception they throw is counted, never
 * fatal). The event socket is read by the subscription's own thread, which only queues soft EXPIREs
 * for it. {@link #health()} may be called from any thread. {@code SecurePaths} is synchronized, so
 * the application may keep using it. Log lines name SAs by addresses and SPI only, never keys.
 */
public final class AutoRekey implements AutoCloseable {
    /** Opens an xfrm event subscription, for example {@code xfrmClient::subscribe}. */
    @FunctionalInterface
    public interface Subscriptions {
        XfrmEvents open() throws IOException;
    }

    private final RekeyWorker worker;
    private final HealthBook book;
    private final Thread thread;

    /**
     * Starts rekeying {@code paths} on the events of {@code events}; when that subscription fails it
     * is replaced by {@link XfrmEvents#reopen()}. Same as
     * {@code builder(paths).events(events).graceMillis(graceMillis).onRekey(onRekey).start()}.
     *
     * @param onRekey called with the new generation whenever the outbound generation changed
     */
    public AutoRekey(SecurePaths paths, XfrmEvents events, long graceMillis, Consumer<Long> onRekey) {
        this(builder(paths).events(events).graceMillis(graceMillis).onRekey(onRekey),
                java.util.Objects.requireNonNull(events, "AutoRekey needs an xfrm event subscription (xfrmClient.subscribe())"));
    }

    private AutoRekey(Builder b, XfrmEvents first) {
        this.book = new HealthBook(b.time);
        b.healthListeners.forEach(book::addListener);
        Subscriptions subs = b.subscriptions != null ? b.subscriptions : first::reopen;
        this.worker = new RekeyWorker(b.target, subs, b.graceMillis, b.onRekey, b.time, book);
        book.generation(safeGeneration(b.target));
        worker.attach(first, false);
        this.thread = new Thread(worker, "mpsec-auto-rekey");
        thread.setDaemon(true);
        thread.start();
    }

    private static long safeGeneration(RekeyTarget t) {
        try {
            return t.activeGeneration();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** A builder for an AutoRekey of {@code paths}. */
    public static Builder builder(SecurePaths paths) {
        return new Builder(RekeyTarget.of(paths));
    }

    /** A builder over any {@link RekeyTarget} (tests). */
    static Builder builder(RekeyTarget target) {
        return new Builder(target);
    }

    /** The current health; any thread. */
    public RekeyHealth health() {
        return book.snapshot();
    }

    /** Adds a health listener, called on the AutoRekey thread on changes (see the class comment). */
    public void onHealth(Consumer<RekeyHealth> listener) {
        book.addListener(listener);
    }

    /**
     * Stops the thread (waiting up to 2 s for a running {@code SecurePaths} call), closes the event
     * subscription and reports {@link RekeyHealth.State#STOPPED}. Does not touch the SAs.
     */
    @Override
    public void close() throws IOException {
        worker.stop();
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        XfrmEvents s = worker.subscription();
        book.stopped();
        book.detach();
        book.publish(true);
        if (s != null) {
            s.close();
        }
    }

    /** Builds and starts an {@link AutoRekey}. */
    public static final class Builder {
        private final RekeyTarget target;
        private Subscriptions subscriptions;
        private XfrmEvents events;
        private long graceMillis = 60_000;
        private Consumer<Long> onRekey = g -> { };
        private final List<Consumer<RekeyHealth>> healthListeners = new ArrayList<>();
        private RekeyTime time = RekeyTime.SYSTEM;

        private Builder(RekeyTarget target) {
            this.target = target;
        }

        /**
         * How to open the event subscription, first and after a failure: typically
         * {@code xfrmClient::subscribe} ({@link XfrmClient#subscribe()}).
         */
        public Builder subscriptions(Subscriptions v) {
            subscriptions = v;
            return this;
        }

        /**
         * An already open subscription to start with (it is closed with the AutoRekey). After a
         * failure it is replaced through {@link #subscriptions}, or else {@link XfrmEvents#reopen()}.
         */
        public Builder events(XfrmEvents v) {
            events = v;
            return this;
        }

        /** How long an old generation's inbound SAs must stay idle before it is retired (default 60 s). */
        public Builder graceMillis(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("graceMillis must not be negative, got " + v);
            }
            graceMillis = v;
            return this;
        }

        /** Called on the AutoRekey thread with the new generation whenever the outbound generation changed. */
        public Builder onRekey(Consumer<Long> v) {
            onRekey = v == null ? g -> { } : v;
            return this;
        }

        /** Called on the AutoRekey thread when the health changes. */
        public Builder onHealth(Consumer<RekeyHealth> v) {
            healthListeners.add(v);
            return this;
        }

        /** Clocks and waiting (tests). */
        Builder time(RekeyTime v) {
            time = v;
            return this;
        }

        /**
         * Starts the thread. Without {@link #events} the first subscription is opened here, and a
         * failure to open it is thrown (later failures are retried).
         *
         * @throws IllegalStateException if neither {@link #events} nor {@link #subscriptions} was given
         */
        public AutoRekey start() throws IOException {
            XfrmEvents first = events;
            if (first == null) {
                if (subscriptions == null) {
                    throw new IllegalStateException("AutoRekey needs xfrm events: builder.subscriptions(xfrmClient::subscribe)");
                }
                first = subscriptions.open();
            }
            try {
                return new AutoRekey(this, first);
            } catch (RuntimeException e) {
                first.close();
                throw e;
            }
        }
    }
}
