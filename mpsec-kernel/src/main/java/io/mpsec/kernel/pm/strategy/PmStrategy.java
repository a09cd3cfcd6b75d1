package io.mpsec.kernel.pm.strategy;

import io.mpsec.pm.PmEvent;
import java.io.IOException;

/**
 * A path-manager strategy for the userspace path manager: a named plugin whose callbacks all
 * default to doing nothing (as mptcpd's plugin ops), so a strategy implements only what it needs.
 * Callbacks are serialised (never two at once; path-manager events and link events come from two
 * threads) and run after the runner updated {@link PmContext#connection}.
 * A callback that throws is reported ({@link StrategyRunner#errors()}) and does not stop the others.
 */
public interface PmStrategy {
    /** A short name for messages, e.g. {@code "ndiffports(4)"}. */
    String name();

    default void onCreated(PmContext ctx, PmEvent.Created e) throws IOException {
    }

    default void onEstablished(PmContext ctx, PmEvent.Established e) throws IOException {
    }

    default void onClosed(PmContext ctx, PmEvent.Closed e) throws IOException {
    }

    default void onAnnounced(PmContext ctx, PmEvent.Announced e) throws IOException {
    }

    default void onRemoved(PmContext ctx, PmEvent.Removed e) throws IOException {
    }

    default void onSubflowEstablished(PmContext ctx, PmEvent.SubflowEstablished e) throws IOException {
    }

    default void onSubflowClosed(PmContext ctx, PmEvent.SubflowClosed e) throws IOException {
    }

    default void onSubflowPriority(PmContext ctx, PmEvent.SubflowPriority e) throws IOException {
    }

    /** An interface came up ({@code up = true}) or went down; from rtnetlink. */
    default void onLink(PmContext ctx, int ifIndex, String name, boolean up) throws IOException {
    }

    /**
     * How often {@link #onTick} is called, in milliseconds; 0 (the default) for never. The runner
     * ticks at the shortest period any of its strategies asks for.
     */
    default long tickMillis() {
        return 0;
    }

    /**
     * Called periodically ({@link #tickMillis()}), serialised with the other callbacks: for what no
     * event reports, such as a path that silently stopped delivering ({@link PmContext#subflowProgress()}).
     */
    default void onTick(PmContext ctx) throws IOException {
    }

    /**
     * An interface address was added (also when an IPv6 address finishes duplicate address
     * detection) or removed ({@code removed}); from rtnetlink.
     */
    default void onAddress(PmContext ctx, io.mpsec.kernel.rtnl.Address address, boolean removed) throws IOException {
    }
}
