package io.mpsec.kernel.netlink;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Request/response over one {@link NetlinkTransport}: assigns sequence numbers (per connection, never
 * shared), matches replies to requests, turns {@code NLMSG_ERROR} into {@link NetlinkException} with
 * the kernel's extended-ack text, collects multipart dumps and reports {@code NLM_F_DUMP_INTR}.
 * Multicast notifications that arrive while a request is waiting are queued for
 * {@link #nextNotification(int)}.
 *
 * <p>Every request datagram and its internal copies are wiped after sending, and every received
 * datagram once it is split into messages: xfrm requests and replies may carry SA keys. The messages
 * returned to the caller are the caller's to {@link NetlinkMessage#wipe()}.
 *
 * <p>Thread-safe: requests are serialised on this connection. Use separate connections for
 * concurrent requests and for event listening.
 */
public final class NetlinkConnection implements AutoCloseable {
    /** Default time to wait for the kernel's answer. */
    public static final int DEFAULT_TIMEOUT_MILLIS = 5_000;

    private final NetlinkTransport transport;
    private final Deque<NetlinkMessage> notifications = new ArrayDeque<>();
    private int seq;
    private volatile int timeoutMillis = DEFAULT_TIMEOUT_MILLIS;

    public NetlinkConnection(NetlinkTransport transport) {
        this.transport = transport;
        // Start from a non-trivial value (as iproute2 does with time()) so replies to a previous
        // process that used the same port id are not mistaken for ours.
        this.seq = (int) (System.nanoTime() & 0x3fffffff) | 1;
    }

    /** Opens a real netlink socket for {@code protocol} in the caller's namespace. */
    public static NetlinkConnection open(int protocol) throws IOException {
        return new NetlinkConnection(NetlinkSocket.open(protocol));
    }

    /** Opens a real netlink socket for {@code protocol} inside {@code ns} ({@code null}: the caller's namespace). */
    public static NetlinkConnection open(int protocol, NetNamespace ns) throws IOException {
        return new NetlinkConnection(NetlinkSocket.open(protocol, ns));
    }

    /**
     * Opens a real netlink socket for {@code protocol} inside {@code ns}; {@code capAck} chooses
     * whether the kernel's error replies are capped to the request header (NETLINK_CAP_ACK, the
     * default of the other open methods).
     */
    public static NetlinkConnection open(int protocol, NetNamespace ns, boolean capAck) throws IOException {
        return new NetlinkConnection(NetlinkSocket.open(protocol, ns, capAck));
    }

    public NetlinkTransport transport() {
        return transport;
    }

    /** Time to wait for each reply datagram; per connection. */
    public void timeoutMillis(int millis) {
        if (millis <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + millis);
        }
        this.timeoutMillis = millis;
    }

    /** The next sequence number this connection will use. */
    public synchronized int peekSeq() {
        return seq;
    }

    /**
     * Sends {@code request} and waits for its completion. Completion is the ACK
     * (NLMSG_ERROR with 0) when the request has {@code NLM_F_ACK}, {@code NLMSG_DONE} for dumps,
     * or else the first non-multipart reply.
     *
     * @return the data replies (without ACK or DONE)
     * @throws NetlinkException when the kernel answers with an error
     */
    public synchronized List<NetlinkMessage> request(String op, NetlinkMessage request) throws IOException {
        return exchange(op, request).messages();
    }

    /** Sends a request that must be acknowledged; NLM_F_ACK is added. */
    public void execute(String op, NetlinkMessage request) throws IOException {
        NetlinkMessage withAck = request.withFlags(request.flags() | Netlink.NLM_F_ACK);
        try {
            request(op, withAck);
        } finally {
            withAck.wipe();
        }
    }

    /**
     * Sends every request of {@code requests} in ONE datagram (one {@code sendmsg}), each with
     * {@code NLM_F_ACK} and its own sequence number, and waits for all acknowledgements. The kernel
     * processes the messages of one datagram back to back (netlink_rcv_skb), so a batch changes state
     * within microseconds, with no scheduling gap between the messages; it is not a transaction: a
     * failed message does not stop the later ones.
     *
     * @return one entry per request, in order: {@code null} when acknowledged, else the kernel's error
     * @throws IOException when the exchange itself fails (timeout, socket error); then the outcome of
     *         the unacknowledged requests is unknown
     */
    public synchronized List<NetlinkException> executeBatch(List<String> ops, List<NetlinkMessage> requests) throws IOException {
        if (ops.size() != requests.size()) {
            throw new IllegalArgumentException("one op name per request: " + ops.size() + " != " + requests.size());
        }
        int n = requests.size();
        List<NetlinkException> results = new ArrayList<>(java.util.Collections.nCopies(n, null));
        if (n == 0) {
            return results;
        }
        int[] seqs = new int[n];
        List<NetlinkMessage> sent = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            seqs[i] = seq++;
            if (seq == 0) {
                seq = 1;
            }
            NetlinkMessage r = requests.get(i);
            sent.add(r.withFlags(r.flags() | Netlink.NLM_F_ACK).withSeqAndPid(seqs[i], 0));
        }
        transport.send(NetlinkMessage.encodeAll(sent));
        boolean[] done = new boolean[n];
        int left = n;
        while (left > 0) {
            byte[] dgram = transport.receive(timeoutMillis);
            if (dgram == null) {
                throw new SocketTimeoutException(ops.get(0) + " (batch of " + n + "): " + left
                        + " acknowledgements missing after " + timeoutMillis + " ms");
            }
            for (NetlinkMessage m : NetlinkMessage.decodeAll(dgram)) {
                if (m.seq() == 0) {
                    notifications.add(m);
                    continue;
                }
                int i = indexOf(seqs, m.seq());
                if (i < 0 || done[i] || m.type() != Netlink.NLMSG_ERROR) {
                    continue; // a late reply to an earlier request
                }
                NetlinkError e = NetlinkError.decode(m);
                if (!e.isAck()) {
                    results.set(i, new NetlinkException(ops.get(i), e.errno(), seqs[i], e.extAck()));
                }
                done[i] = true;
                left--;
            }
        }
        return results;
    }

    private static int indexOf(int[] seqs, int s) {
        for (int i = 0; i < seqs.length; i++) {
            if (seqs[i] == s) {
                return i;
            }
        }
        return -1;
    }

    /** Sends a request expecting exactly one reply message. */
    public NetlinkMessage requestOne(String op, NetlinkMessage request) throws IOException {
        List<NetlinkMessage> replies = request(op, request);
        if (replies.size() != 1) {
            throw new NetlinkFormatException(op + ": expected one reply, got " + replies.size());
        }
        return replies.get(0);
    }

    /** Sends a dump request (NLM_F_DUMP is added) and returns all parts, reporting interruption. */
    public synchronized Dump dump(String op, NetlinkMessage request) throws IOException {
        NetlinkMessage withDump = request.withFlags(request.flags() | Netlink.NLM_F_DUMP);
        try {
            return exchange(op, withDump);
        } finally {
            withDump.wipe();
        }
    }

    /**
     * Dumps until a consistent (not interrupted) result is obtained, at most {@code attempts} times.
     *
     * @throws NetlinkDumpInterruptedException when every attempt was interrupted
     */
    public List<NetlinkMessage> dumpConsistent(String op, NetlinkMessage request, int attempts) throws IOException {
        for (int i = 0; i < attempts; i++) {
            Dump d = dump(op, request);
            if (!d.interrupted()) {
                return d.messages();
            }
            d.messages().forEach(NetlinkMessage::wipe); // discarded; may hold keys (xfrm SAs)
        }
        throw new NetlinkDumpInterruptedException(op, attempts);
    }

    private Dump exchange(String op, NetlinkMessage request) throws IOException {
        int mySeq = seq++;
        if (seq == 0) {
            seq = 1; // 0 is what the kernel uses for notifications
        }
        NetlinkMessage sent = request.withSeqAndPid(mySeq, 0);
        byte[] datagram = sent.encode();
        try {
            transport.send(datagram);
        } finally {
            Arrays.fill(datagram, (byte) 0);
            sent.wipe(); // the header fields used below stay
        }
        boolean wantsAck = sent.hasFlag(Netlink.NLM_F_ACK);
        boolean isDump = (sent.flags() & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP && !sent.hasFlag(Netlink.NLM_F_CREATE);
        List<NetlinkMessage> data = new ArrayList<>();
        boolean interrupted = false;
        boolean multi = false;
        while (true) {
            byte[] dgram = transport.receive(timeoutMillis);
            if (dgram == null) {
                throw new SocketTimeoutException(op + ": no reply from the kernel within " + timeoutMillis
                        + " ms [seq " + Integer.toUnsignedString(mySeq) + "]");
            }
            List<NetlinkMessage> messages;
            try {
                messages = NetlinkMessage.decodeAll(dgram);
            } finally {
                Arrays.fill(dgram, (byte) 0);
            }
            for (NetlinkMessage m : messages) {
                if (m.seq() != mySeq) {
                    if (m.seq() == 0) {
                        notifications.add(m);
                    } else {
                        m.wipe(); // a late reply to an earlier, timed-out request
                    }
                    continue;
                }
                if (m.hasFlag(Netlink.NLM_F_DUMP_INTR)) {
                    interrupted = true;
                }
                switch (m.type()) {
                    case Netlink.NLMSG_ERROR: {
                        NetlinkError e = NetlinkError.decode(m);
                        if (!e.isAck()) {
                            throw new NetlinkException(op, e.errno(), mySeq, e.extAck());
                        }
                        if (!multi || !isDump) {
                            return new Dump(data, interrupted);
                        }
                        break;
                    }
                    case Netlink.NLMSG_DONE: {
                        byte[] p = m.payload();
                        if (p.length >= 4 && Bytes.intLE(p, 0) < 0) {
                            String ext = null;
                            if (m.hasFlag(Netlink.NLM_F_ACK_TLVS) && p.length > 4) {
                                ext = AttributeReader.parse(p, 4, p.length - 4, "done").stringOr(Netlink.NLMSGERR_ATTR_MSG, null);
                            }
                            throw new NetlinkException(op, -Bytes.intLE(p, 0), mySeq, ext);
                        }
                        return new Dump(data, interrupted);
                    }
                    case Netlink.NLMSG_NOOP:
                        break;
                    case Netlink.NLMSG_OVERRUN:
                        throw new NetlinkFormatException(op + ": kernel reported NLMSG_OVERRUN");
                    default:
                        data.add(m);
                        if (m.hasFlag(Netlink.NLM_F_MULTI)) {
                            multi = true;
                        } else if (!wantsAck && !isDump) {
                            return new Dump(data, interrupted);
                        }
                }
            }
        }
    }

    /** Joins a multicast group on the underlying transport. */
    public void joinGroup(int group) throws IOException {
        transport.joinGroup(group);
    }

    /**
     * The next multicast notification, waiting at most {@code timeoutMillis}; {@code null} on timeout.
     * Call from one thread only, and not while another thread uses {@link #request}.
     */
    public NetlinkMessage nextNotification(int timeoutMillis) throws IOException {
        synchronized (this) {
            if (!notifications.isEmpty()) {
                return notifications.poll();
            }
        }
        byte[] dgram = transport.receive(timeoutMillis);
        if (dgram == null) {
            return null;
        }
        List<NetlinkMessage> ms;
        try {
            ms = NetlinkMessage.decodeAll(dgram);
        } finally {
            Arrays.fill(dgram, (byte) 0);
        }
        synchronized (this) {
            notifications.addAll(ms);
            return notifications.poll();
        }
    }

    @Override
    public void close() throws IOException {
        transport.close();
    }
}
