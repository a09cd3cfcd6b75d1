package io.mpsec.kernel.rtnl;

import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Link up/down and address events of one namespace (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
 * RTNLGRP_IPV6_IFADDR), delivered on a daemon thread to the subscribers.
 */
public final class RtnlWatcher implements AutoCloseable {
    private final NetlinkConnection conn;
    private final List<Consumer<RtnlEvent>> subscribers = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;
    private volatile IOException failure;

    private RtnlWatcher(NetlinkConnection conn, String name) {
        this.conn = conn;
        this.thread = new Thread(this::loop, "mpsec-rtnl-" + name);
        this.thread.setDaemon(true);
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
        RtnlWatcher w = new RtnlWatcher(c, name);
        w.thread.start();
        return w;
    }

    public void subscribe(Consumer<RtnlEvent> s) {
        subscribers.add(s);
    }

    public IOException failure() {
        return failure;
    }

    private void loop() {
        while (!closed.get()) {
            try {
                NetlinkMessage m = conn.nextNotification(200);
                if (m == null) {
                    continue;
                }
                RtnlEvent e = RtnlCodec.decodeEvent(m);
                if (e == null) {
                    continue;
                }
                for (Consumer<RtnlEvent> s : subscribers) {
                    try {
                        s.accept(e);
                    } catch (RuntimeException ex) {
                        Thread t = Thread.currentThread();
                        t.getUncaughtExceptionHandler().uncaughtException(t, ex);
                    }
                }
            } catch (IOException ex) {
                if (!closed.get()) {
                    failure = ex;
                }
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            conn.close();
        }
    }
}
