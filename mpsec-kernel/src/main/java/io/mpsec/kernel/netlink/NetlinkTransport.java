package io.mpsec.kernel.netlink;

import java.io.IOException;

/**
 * Moves netlink datagrams to and from the kernel. {@link NetlinkSocket} is the real one; tests use a
 * message-level fake kernel (test-jar: {@code io.mpsec.kernel.netlink.testing.FakeKernel}).
 * Implementations are used by one {@link NetlinkConnection} at a time.
 */
public interface NetlinkTransport extends AutoCloseable {
    /** Sends one datagram (one or more encoded messages) to the kernel. */
    void send(byte[] datagram) throws IOException;

    /**
     * Receives one datagram, waiting at most {@code timeoutMillis} ({@code < 0}: forever).
     *
     * @return the datagram, or {@code null} on timeout
     */
    byte[] receive(int timeoutMillis) throws IOException;

    /** The port id the kernel assigned to this socket (nl_pid). */
    int portId();

    /** Joins a multicast group (NETLINK_ADD_MEMBERSHIP). */
    void joinGroup(int group) throws IOException;

    /** Leaves a multicast group (NETLINK_DROP_MEMBERSHIP). */
    void leaveGroup(int group) throws IOException;

    @Override
    void close() throws IOException;
}
