package io.mpsec.kernel.pm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.pm.Endpoint;
import io.mpsec.pm.EndpointFlag;
import io.mpsec.pm.PmEvent;
import io.mpsec.testbed.Testbed;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Events decoded by MPSec match what {@code ip mptcp monitor} prints for the same connection. The join
 * of a socket to its events by token runs in the 6.1 kernel lane too ({@code also-kernel-lane}, waits
 * {@link #SLOW} times longer there); the comparison with the monitor does not, since its readiness
 * probe needs the listener events of 6.2+.
 */
class EventsIT {
    /** How much longer waits are in the emulated kernel lane. */
    static final int SLOW = Boolean.getBoolean("mpsec.kernelLane") ? 20 : 1;
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 100).mptcpLimits(4, 4).build();

    @Test
    void eventsMatchIpMptcpMonitor() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
        s.execOk("ip", "mptcp", "endpoint", "add", s.address(2).getHostAddress(), "dev", s.iface(2), "signal");

        try (PmEventListener events = c.call(() -> PmEventListener.open(null))) {
            Proc monitor = startMonitorAndAwaitReady(c);
            Proc server = Proc.python(s, "server.py", "5201");
            server.await(l -> l.equals("listening"), 5000);
            Proc client = Proc.python(c, "client.py", s.address(1).getHostAddress(), "5201", "1", "0.5");

            List<PmEvent> mine = new ArrayList<>();
            long token = -1;
            List<PmEvent> joined = new CopyOnWriteArrayList<>();
            while (true) {
                PmEvent e = events.poll(5, TimeUnit.SECONDS);
                assertThat(e).as("events so far: %s", mine).isNotNull();
                if (e instanceof PmEvent.ListenerCreated || e instanceof PmEvent.ListenerClosed) {
                    continue; // the readiness probes, not the connection under test
                }
                mine.add(e);
                if (e instanceof PmEvent.Created) {
                    token = e.token();
                    events.forToken(token, joined::add);
                }
                if (e instanceof PmEvent.Closed && e.token() == token) {
                    break;
                }
            }
            String done = client.await(l -> l.startsWith("bytes="), 15000);
            assertThat(server.await(l -> l.startsWith("bytes="), 5000)).startsWith(done);
            monitor.await(l -> l.contains("CLOSED]"), 3000);
            List<Map<String, String>> theirs = new ArrayList<>();
            for (String l : monitor.lines) {
                if (l.startsWith("[") && !isListenerLine(l)) {
                    theirs.add(parseMonitor(l));
                }
            }
            System.out.println("ip mptcp monitor:\n  " + String.join("\n  ", monitor.lines));
            System.out.println("MPSec:\n  " + mine.stream().map(Object::toString).reduce((a, b) -> a + "\n  " + b).orElse(""));
            List<Map<String, String>> ours = new ArrayList<>();
            for (PmEvent e : mine) {
                ours.add(asMonitor(e));
            }
            assertThat(ours).hasSameSizeAs(theirs);
            for (int i = 0; i < ours.size(); i++) {
                // iproute2 6.1 prints a subset of the attributes; every one it prints must match.
                Map<String, String> t = theirs.get(i);
                Map<String, String> o = ours.get(i);
                for (Map.Entry<String, String> kv : t.entrySet()) {
                    assertThat(o.get(kv.getKey())).as("event %d field %s (%s vs %s)", i, kv.getKey(), o, t).isEqualTo(kv.getValue());
                }
            }
            assertThat(mine).hasAtLeastOneElementOfType(PmEvent.SubflowEstablished.class)
                    .hasAtLeastOneElementOfType(PmEvent.Announced.class).hasAtLeastOneElementOfType(PmEvent.Established.class);
            // The join by token delivered this connection's later events.
            assertThat(joined).isNotEmpty().allMatch(e -> e.token() == mine.get(0).token());
            assertThat(joined.get(joined.size() - 1)).isInstanceOf(PmEvent.Closed.class);
        }
    }

    /** iproute2 6.1 prints the listener events (15, 16; kernel 6.2+) as UNKNOWN, later ones by name. */
    static boolean isListenerLine(String l) {
        return l.startsWith("[UNKNOWN 15]") || l.startsWith("[UNKNOWN 16]") || l.contains("LISTENER_");
    }

    /**
     * Starts {@code ip mptcp monitor} in {@code c} and returns once it is subscribed: a probe opens
     * and closes an MPTCP listener (kernel 6.2+ sends LISTENER_CREATED/CLOSED) until the monitor
     * prints the listener event, so no event of the connection under test can be missed. No traffic.
     */
    static Proc startMonitorAndAwaitReady(Testbed.Host c) throws InterruptedException {
        Proc monitor = Proc.start(c, "ip", "mptcp", "monitor");
        String probe = "import socket;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM,262);"
                + "s.bind(('" + c.address(1).getHostAddress() + "',5999));s.listen();s.close()";
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            c.execOk("python3", "-c", probe);
            try {
                monitor.await(EventsIT::isListenerLine, 200);
                return monitor;
            } catch (AssertionError notYet) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("ip mptcp monitor did not print a listener event within 10 s", notYet);
                }
            }
        }
    }

    @Test
    @Tag("also-kernel-lane")
    void mpsecSocketIsJoinedToItsEventsByToken() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
        try (PmEventListener events = c.call(() -> PmEventListener.open(null))) {
            Proc server = Proc.python(s, "server.py", "5202");
            server.await(l -> l.equals("listening"), 5000L * SLOW);
            List<PmEvent> joined = new CopyOnWriteArrayList<>();
            long token;
            try (io.mpsec.MpsecSocket socket = c.call(() -> new io.mpsec.MpsecSocket(s.address(1), 5202))) {
                token = socket.connectionInfo().token();
                events.forSocket(socket, joined::add);
                socket.getOutputStream().write(new byte[100_000]);
                long end = System.currentTimeMillis() + 5000L * SLOW;
                while (joined.stream().noneMatch(e -> e instanceof PmEvent.SubflowEstablished) && System.currentTimeMillis() < end) {
                    Thread.sleep(20);
                }
            }
            long end = System.currentTimeMillis() + 5000L * SLOW;
            while (joined.stream().noneMatch(e -> e instanceof PmEvent.Closed) && System.currentTimeMillis() < end) {
                Thread.sleep(20);
            }
            System.out.println("token " + Long.toHexString(token) + ": " + joined);
            assertThat(token).isPositive();
            assertThat(joined).allMatch(e -> e.token() == token);
            assertThat(joined).hasAtLeastOneElementOfType(PmEvent.SubflowEstablished.class);
            assertThat(joined.get(joined.size() - 1)).isInstanceOf(PmEvent.Closed.class);
            server.await(l -> l.startsWith("bytes=100000 "), 5000L * SLOW);
        }
    }

    static Map<String, String> parseMonitor(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        int close = line.indexOf(']');
        m.put("type", line.substring(1, close).trim());
        for (String t : line.substring(close + 1).trim().split("\\s+")) {
            int eq = t.indexOf('=');
            if (eq > 0) {
                m.put(t.substring(0, eq), t.substring(eq + 1));
            }
        }
        return m;
    }

    /** Our event in iproute2's vocabulary (ipmptcp.c print names). */
    static Map<String, String> asMonitor(PmEvent e) {
        Map<String, String> m = new LinkedHashMap<>();
        if (e instanceof PmEvent.Created c) {
            m.put("type", "CREATED");
            conn(m, c.token(), 0, 0, c.endpoints());
        } else if (e instanceof PmEvent.Established c) {
            m.put("type", "ESTABLISHED");
            conn(m, c.token(), 0, 0, c.endpoints());
        } else if (e instanceof PmEvent.Closed c) {
            m.put("type", "CLOSED");
            m.put("token", String.format("%08x", c.token()));
        } else if (e instanceof PmEvent.Announced c) {
            m.put("type", "ANNOUNCED");
            m.put("token", String.format("%08x", c.token()));
            m.put("remid", Integer.toString(c.remoteId()));
            m.put("daddr4", c.address().getHostAddress());
            m.put("dport", Integer.toString(c.port()));
        } else if (e instanceof PmEvent.Removed c) {
            m.put("type", "REMOVED");
            m.put("token", String.format("%08x", c.token()));
            m.put("remid", Integer.toString(c.remoteId()));
        } else if (e instanceof PmEvent.SubflowEstablished c) {
            m.put("type", "SF_ESTABLISHED");
            conn(m, c.token(), c.localId(), c.remoteId(), c.endpoints());
            m.put("backup", c.backup() ? "1" : "0");
            if (c.ifIndex() != 0) {
                m.put("ifindex", Integer.toString(c.ifIndex()));
            }
        } else if (e instanceof PmEvent.SubflowClosed c) {
            m.put("type", "SF_CLOSED");
            conn(m, c.token(), c.localId(), c.remoteId(), c.endpoints());
            m.put("backup", c.backup() ? "1" : "0");
            m.put("error", Integer.toString(c.error()));
        } else if (e instanceof PmEvent.SubflowPriority c) {
            m.put("type", "SF_PRIO");
            conn(m, c.token(), c.localId(), c.remoteId(), c.endpoints());
            m.put("backup", c.backup() ? "1" : "0");
        } else if (e instanceof PmEvent.ListenerCreated c) {
            m.put("type", "LISTENER_CREATED");
            m.put("saddr4", c.address().getHostAddress());
            m.put("sport", Integer.toString(c.port()));
        } else if (e instanceof PmEvent.ListenerClosed c) {
            m.put("type", "LISTENER_CLOSED");
            m.put("saddr4", c.address().getHostAddress());
            m.put("sport", Integer.toString(c.port()));
        } else {
            m.put("type", "UNKNOWN");
        }
        return m;
    }

    private static void conn(Map<String, String> m, long token, int loc, int rem, PmEvent.Endpoints ep) {
        m.put("token", String.format("%08x", token));
        m.put("remid", Integer.toString(rem));
        m.put("locid", Integer.toString(loc));
        m.put("saddr4", ep.local().getHostAddress());
        m.put("daddr4", ep.remote().getHostAddress());
        m.put("sport", Integer.toString(ep.localPort()));
        m.put("dport", Integer.toString(ep.remotePort()));
    }
}
