package io.mpsec.kernel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Datagrams that may hold key material do not outlive their use: the connection wipes the request
 * datagram after sending and each received datagram once split into messages (fake kernel at the
 * message level; the transport below keeps references to exactly the arrays it saw).
 */
class NetlinkWipeTest {
    static final byte SECRET = 0x5a;

    /** Wraps a fake kernel and remembers every array passed to send and returned by receive. */
    static final class Recording implements NetlinkTransport {
        final FakeKernel kernel;
        final List<byte[]> sent = new ArrayList<>();
        final List<byte[]> received = new ArrayList<>();

        Recording(FakeKernel kernel) {
            this.kernel = kernel;
        }

        @Override
        public void send(byte[] datagram) throws IOException {
            sent.add(datagram);
            kernel.send(datagram);
        }

        @Override
        public byte[] receive(int timeoutMillis) throws IOException {
            byte[] d = kernel.receive(timeoutMillis);
            if (d != null) {
                received.add(d);
            }
            return d;
        }

        @Override
        public int portId() {
            return kernel.portId();
        }

        @Override
        public void joinGroup(int group) {
            kernel.joinGroup(group);
        }

        @Override
        public void leaveGroup(int group) {
            kernel.leaveGroup(group);
        }

        @Override
        public void close() throws IOException {
            kernel.close();
        }
    }

    static byte[] secret(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, SECRET);
        return b;
    }

    static boolean holdsSecret(byte[] b) {
        for (byte x : b) {
            if (x == SECRET) {
                return true;
            }
        }
        return false;
    }

    @Test
    void requestAndReplyDatagramsAreWipedButTheReturnedMessagesAreIntact() throws Exception {
        // the "kernel" answers each request with one data message carrying a secret, then DONE/ACK
        Recording t = new Recording(new FakeKernel(req -> {
            List<NetlinkMessage> r = new ArrayList<>();
            r.add(new NetlinkMessage(0x10, Netlink.NLM_F_MULTI, req.seq(), 0, secret(40)));
            r.add(req.hasFlag(Netlink.NLM_F_ACK) ? FakeKernel.ack(req).get(0)
                    : new NetlinkMessage(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, req.seq(), 0, new byte[4]));
            return r;
        }));
        NetlinkConnection c = new NetlinkConnection(t);
        NetlinkMessage request = NetlinkMessage.request(0x10, 0, secret(64));
        c.execute("NEWSA-like", request);
        List<NetlinkMessage> dump = c.dump("GETSA-like dump", NetlinkMessage.request(0x12, 0, secret(8))).messages();
        assertThat(t.sent).hasSize(2);
        assertThat(t.received).hasSizeGreaterThanOrEqualTo(4);
        assertThat(t.sent).allSatisfy(d -> assertThat(holdsSecret(d)).as("request datagram wiped").isFalse());
        assertThat(t.received).allSatisfy(d -> assertThat(holdsSecret(d)).as("reply datagram wiped").isFalse());
        // the fake kernel saw the real bytes, and the caller's own message and the replies are the caller's to wipe
        assertThat(holdsSecret(t.kernel.requests().get(0).payload())).isTrue();
        assertThat(holdsSecret(request.payload())).isTrue();
        assertThat(dump).singleElement().satisfies(m -> assertThat(holdsSecret(m.payload())).isTrue());
        dump.get(0).wipe();
        assertThat(holdsSecret(dump.get(0).payload())).isFalse();
        assertThat(dump.get(0).type()).isEqualTo(0x10);
    }
}
