package io.mpsec.kernel.rtnl;

import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.NotificationPump;
import io.mpsec.kernel.netlink.NotificationSource;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Link up/down and address events of one namespace (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
 * RTNLGRP_IPV6_IFADDR), delivered on a daemon thread to the subscribers.
 *
 * <p>Survives event bursts that overflow the socket buffer ({@link #overruns()}; listeners given to
 * {@link #onOverrun} should re-read links and addresses) and skips messages that do not decode
 * ({@link #skipped()}). Any other receive error stops it: {@link #failure()} and {@link #onFailure}.
 */
public final class RtnlWatcher extends NotificationSource {
    private final List<Consumer<RtnlEvent>> subscribers = new CopyOnWriteArrayList<>();

    private RtnlWatcher() {
    }

    public static RtnlWatcher open(NetNamespace ns) throws IOException {
        NetlinkConnection c = NetlinkConnection.open(Netlink.NETLINK_ROUTE, ns);
        try {
            return start(c, ns == null ? "init" : ns.name());
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Over an existing connection (a real socket or a fake kernel). */
    public static RtnlWatcher start(NetlinkConnection c, String name) throws IOException {
        c.joinGroup(Rtnl.RTNLGRP_LINK);
        c.joinGroup(Rtnl.RTNLGRP_IPV4_IFADDR);
        c.joinGroup(Rtnl.RTNLGRP_IPV6_IFADDR);
        RtnlWatcher w = new RtnlWatcher();
        w.pump = NotificationPump.start(c, "mpsec-rtnl-" + name, w::handle);
        return w;
    }

    public void subscribe(Consumer<RtnlEvent> s) {
        subscribers.add(s);
    }

    private void handle(NetlinkMessage m) throws IOException {
        RtnlEvent e = RtnlCodec.decodeEvent(m);
        if (e == null) {
            return;
        }
        for (Consumer<RtnlEvent> s : subscribers) {
            try {
                s.accept(e);
            } catch (RuntimeException ex) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, ex);
            }
        }
    }

    @Override
    public void close() throws IOException {
        pump.close();
    }
}
