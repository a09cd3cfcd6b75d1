package io.mpsec.kernel.diag;

import java.util.List;

/**
 * Every MPTCP connection of one network namespace at one moment ({@link ConnectionDiag#snapshot()}).
 *
 * @param namespace      the {@code ip netns} name, or {@code null} for the namespace the reader was
 *                       opened in by the JVM itself
 * @param takenAtMillis  when the dumps ended, milliseconds since the epoch
 * @param connections    the connections, fallen-back ones included
 */
public record NamespaceConnections(String namespace, long takenAtMillis, List<ConnectionSnapshot> connections) {
    /** Copies the list. */
    public NamespaceConnections {
        connections = List.copyOf(connections);
    }

    /** The number of MPTCP connections, fallen-back ones included. */
    public int count() {
        return connections.size();
    }

    /** The number of TCP subflows of all connections. */
    public int subflowCount() {
        int n = 0;
        for (ConnectionSnapshot c : connections) {
            n += c.subflows().size();
        }
        return n;
    }

    /** The number of connections that fell back to plain TCP. */
    public int fallbackCount() {
        int n = 0;
        for (ConnectionSnapshot c : connections) {
            if (c.fallback()) {
                n++;
            }
        }
        return n;
    }
}
