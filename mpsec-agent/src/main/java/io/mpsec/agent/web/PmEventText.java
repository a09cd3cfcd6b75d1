package io.mpsec.agent.web;

import io.mpsec.pm.PmEvent;
import java.net.InetAddress;

/** MPTCP path-manager events as lines of the events list. */
final class PmEventText {
    private PmEventText() {
    }

    /** One line of the events list. */
    record Line(String kind, String subject, String message) {
    }

    /** The line for {@code e}, or {@code null} for events the list does not show (listeners). */
    static Line of(PmEvent e) {
        String token = ConnectionsView.hex32(e.token());
        if (e instanceof PmEvent.Created c) {
            return new Line("connection-created", token, "connection " + token + " " + ends(c.endpoints()) + " created");
        } else if (e instanceof PmEvent.Established c) {
            return new Line("connection-established", token, "connection " + token + " " + ends(c.endpoints()) + " established");
        } else if (e instanceof PmEvent.Closed) {
            return new Line("connection-closed", token, "connection " + token + " closed");
        } else if (e instanceof PmEvent.SubflowEstablished s) {
            return new Line("subflow-added", token, "subflow " + ends(s.endpoints()) + (s.backup() ? " (backup)" : "")
                    + " added to " + token);
        } else if (e instanceof PmEvent.SubflowClosed s) {
            return new Line("subflow-closed", token, "subflow " + ends(s.endpoints()) + " of " + token + " closed"
                    + (s.error() != 0 ? " (error " + s.error() + ")" : ""));
        } else if (e instanceof PmEvent.SubflowPriority s) {
            return new Line("subflow-priority", token, "subflow " + ends(s.endpoints()) + " of " + token + " is now "
                    + (s.backup() ? "backup" : "regular"));
        } else if (e instanceof PmEvent.Announced a) {
            return new Line("address-announced", token, "peer of " + token + " announced " + addr(a.address(), a.port())
                    + " (id " + a.remoteId() + ")");
        } else if (e instanceof PmEvent.Removed r) {
            return new Line("address-removed", token, "peer of " + token + " removed address id " + r.remoteId());
        }
        return null;
    }

    private static String ends(PmEvent.Endpoints p) {
        return p == null ? "" : addr(p.local(), p.localPort()) + " -> " + addr(p.remote(), p.remotePort());
    }

    private static String addr(InetAddress a, int port) {
        if (a == null) {
            return "?";
        }
        String h = a.getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + (port > 0 ? ":" + port : "");
    }
}
