package io.mpsec.kernel.netlink.testing;

import io.mpsec.kernel.genl.GenericNetlink;
import io.mpsec.kernel.genl.Genl;
import io.mpsec.kernel.genl.GenlFamily;
import io.mpsec.kernel.genl.GenlMessage;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkError;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.NetlinkTransport;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A fake kernel at the message level: a function from each request message to the reply messages.
 * It is a {@link NetlinkTransport}, so it plugs into {@code new NetlinkConnection(fake)} exactly
 * where a real {@code NetlinkSocket} would. Requests are recorded ({@link #requests()}) with the
 * sequence numbers the connection assigned; replies without a sequence number get the request's.
 *
 * <pre>{@code
 * FakeKernel k = new FakeKernel(req -> FakeKernel.ack(req));
 * NetlinkConnection c = new NetlinkConnection(k);
 * }</pre>
 *
 * <p>{@link #receive(int)} never blocks: with nothing queued it returns {@code null} (a timeout), so
 * tests are deterministic. Notifications pushed with {@link #emit} are delivered only when their
 * group was joined (group 0: always).
 */
public final class FakeKernel implements NetlinkTransport {
    /** Computes the replies to one request. */
    @FunctionalInterface
    public interface Handler {
        List<NetlinkMessage> handle(NetlinkMessage request) throws IOException;
    }

    private final Handler handler;
    private final Deque<byte[]> inbox = new ArrayDeque<>();
    /** Receive errors to raise, each before the datagram queued at the same position. */
    private final java.util.Map<byte[], IOException> failures = new java.util.IdentityHashMap<>();
    private static final byte[] FAILURE = new byte[0];
    private final List<NetlinkMessage> requests = new ArrayList<>();
    private final Set<Integer> groups = new TreeSet<>();
    private final int portId;
    private boolean closed;

    public FakeKernel(Handler handler) {
        this(handler, 4242);
    }

    public FakeKernel(Handler handler, int portId) {
        this.handler = handler;
        this.portId = portId;
    }

    @Override
    public synchronized void send(byte[] datagram) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        for (NetlinkMessage req : NetlinkMessage.decodeAll(datagram)) {
            requests.add(req);
            List<NetlinkMessage> replies = handler.handle(req);
            if (replies == null || replies.isEmpty()) {
                continue;
            }
            // One datagram per message, like the kernel's dump parts.
            for (NetlinkMessage r : replies) {
                inbox.add(r.encode());
            }
        }
    }

    /**
     * The next queued datagram. When nothing is queued it waits at most {@code min(timeout, 20 ms)}
     * for an {@link #emit} from another thread (so listener threads do not spin), then returns
     * {@code null}, which the connection reports as a timeout.
     */
    @Override
    public synchronized byte[] receive(int timeoutMillis) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (inbox.isEmpty() && timeoutMillis != 0) {
            try {
                wait(timeoutMillis < 0 ? 20 : Math.min(timeoutMillis, 20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] d = inbox.poll();
        if (d != null && failures.containsKey(d)) {
            throw failures.remove(d);
        }
        return d;
    }

    /**
     * Queues a receive error: the receive that would return the next datagram at this point throws
     * {@code error} instead (for example an {@code ENOBUFS} overrun).
     */
    public synchronized void emitFailure(IOException error) {
        byte[] marker = FAILURE.clone();
        failures.put(marker, error);
        inbox.add(marker);
        notifyAll();
    }

    /** Queues a multicast notification (seq 0) for {@code group}; dropped unless the group was joined. */
    public synchronized void emit(int group, NetlinkMessage notification) {
        if (group == 0 || groups.contains(group)) {
            inbox.add(notification.encode());
            notifyAll();
        }
    }

    /** Queues a raw datagram as is (for malformed-input tests). */
    public synchronized void emitRaw(byte[] datagram) {
        inbox.add(datagram.clone());
        notifyAll();
    }

    @Override
    public int portId() {
        return portId;
    }

    @Override
    public synchronized void joinGroup(int group) {
        groups.add(group);
    }

    @Override
    public synchronized void leaveGroup(int group) {
        groups.remove(group);
    }

    public synchronized Set<Integer> joinedGroups() {
        return Collections.unmodifiableSet(new TreeSet<>(groups));
    }

    /** Every request received so far, in order. */
    public synchronized List<NetlinkMessage> requests() {
        return List.copyOf(requests);
    }

    /** The last request received. */
    public synchronized NetlinkMessage lastRequest() {
        if (requests.isEmpty()) {
            throw new IllegalStateException("the fake kernel received no request");
        }
        return requests.get(requests.size() - 1);
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    // ---- reply helpers ----

    /** An ACK (NLMSG_ERROR with error 0). */
    public static List<NetlinkMessage> ack(NetlinkMessage request) {
        return List.of(NetlinkError.encode(request, 0, null));
    }

    /** An error reply with {@code errno} and, when not null, the extended-ack message. */
    public static List<NetlinkMessage> error(NetlinkMessage request, int errno, String extAck) {
        return List.of(NetlinkError.encode(request, errno, extAck));
    }

    /** One reply message of {@code type} carrying {@code payload}, answering {@code request}. */
    public static NetlinkMessage reply(NetlinkMessage request, int type, byte[] payload) {
        return new NetlinkMessage(type, 0, request.seq(), request.pid(), payload);
    }

    /** A reply followed by an ACK when the request asked for one. */
    public static List<NetlinkMessage> replyAndAck(NetlinkMessage request, int type, byte[] payload) {
        List<NetlinkMessage> out = new ArrayList<>();
        out.add(reply(request, type, payload));
        if (request.hasFlag(Netlink.NLM_F_ACK)) {
            out.addAll(ack(request));
        }
        return out;
    }

    /** A multipart dump of {@code payloads} (each NLM_F_MULTI) and NLMSG_DONE. */
    public static List<NetlinkMessage> dump(NetlinkMessage request, int type, List<byte[]> payloads) {
        return dump(request, type, payloads, false);
    }

    /** A multipart dump; with {@code interrupted} every part carries NLM_F_DUMP_INTR. */
    public static List<NetlinkMessage> dump(NetlinkMessage request, int type, List<byte[]> payloads, boolean interrupted) {
        int flags = Netlink.NLM_F_MULTI | (interrupted ? Netlink.NLM_F_DUMP_INTR : 0);
        List<NetlinkMessage> out = new ArrayList<>();
        for (byte[] p : payloads) {
            out.add(new NetlinkMessage(type, flags, request.seq(), request.pid(), p));
        }
        out.add(new NetlinkMessage(Netlink.NLMSG_DONE, flags, request.seq(), request.pid(), new byte[4]));
        return out;
    }

    /** A notification as the kernel multicasts it (seq 0, pid 0). */
    public static NetlinkMessage notification(int type, byte[] payload) {
        return new NetlinkMessage(type, 0, 0, 0, payload);
    }

    /**
     * A handler that answers CTRL_CMD_GETFAMILY for {@code families} (ENOENT for any other name, as
     * the kernel does) and passes every other request to {@code next}.
     */
    public static Handler withFamilies(Handler next, GenlFamily... families) {
        return req -> {
            if (req.type() != Genl.GENL_ID_CTRL) {
                return next.handle(req);
            }
            GenlMessage g = GenlMessage.decode(req);
            String name = g.reader("ctrl").stringOr(Genl.CTRL_ATTR_FAMILY_NAME, null);
            for (GenlFamily f : families) {
                if (f.name().equals(name)) {
                    return replyAndAck(req, Genl.GENL_ID_CTRL, GenericNetlink.encodeFamily(f));
                }
            }
            return error(req, Errno.ENOENT, null);
        };
    }

    /** A family with the given multicast groups and commands 1..maxCmd. */
    public static GenlFamily family(String name, int id, int version, int maxCmd, java.util.Map<String, Integer> groups) {
        Set<Integer> ops = new TreeSet<>();
        for (int i = 1; i <= maxCmd; i++) {
            ops.add(i);
        }
        return new GenlFamily(name, id, version, 0, ops, groups);
    }
}
