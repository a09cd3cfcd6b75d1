package io.mpsec.kernel.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.net.SocketTimeoutException;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetlinkConnectionTest {
    private static final NetlinkMessage REQ = NetlinkMessage.request(30, 0, new byte[] {1, 0, 0, 0});

    @Test
    void ackCompletesAndSeqIncreasesPerConnection() throws Exception {
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        NetlinkConnection c = new NetlinkConnection(k);
        int first = c.peekSeq();
        c.execute("op", REQ);
        c.execute("op", REQ);
        assertThat(k.requests()).extracting(NetlinkMessage::seq).containsExactly(first, first + 1);
        assertThat(k.requests().get(0).flags()).isEqualTo(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK);
        // A second connection has its own counter: no global state.
        FakeKernel k2 = new FakeKernel(FakeKernel::ack);
        NetlinkConnection c2 = new NetlinkConnection(k2);
        int before = c.peekSeq();
        c2.execute("op", REQ);
        assertThat(c.peekSeq()).isEqualTo(before);
    }

    @Test
    void aBatchGoesOutInOneDatagramAndReportsEachMessagesOutcome() throws Exception {
        List<byte[]> datagrams = new java.util.ArrayList<>();
        FakeKernel inner = new FakeKernel(req -> req.payload()[0] == 2 ? FakeKernel.error(req, 12, "no memory") : FakeKernel.ack(req));
        NetlinkTransport recording = new NetlinkTransport() {
            @Override
            public void send(byte[] d) throws java.io.IOException {
                datagrams.add(d);
                inner.send(d);
            }

            @Override
            public byte[] receive(int timeoutMillis) throws java.io.IOException {
                return inner.receive(timeoutMillis);
            }

            @Override
            public int portId() {
                return inner.portId();
            }

            @Override
            public void joinGroup(int group) throws java.io.IOException {
                inner.joinGroup(group);
            }

            @Override
            public void leaveGroup(int group) throws java.io.IOException {
                inner.leaveGroup(group);
            }

            @Override
            public void close() throws java.io.IOException {
                inner.close();
            }
        };
        NetlinkConnection c = new NetlinkConnection(recording);
        List<NetlinkMessage> reqs = List.of(NetlinkMessage.request(30, 0, new byte[] {1, 0, 0, 0}),
                NetlinkMessage.request(30, 0, new byte[] {2, 0, 0, 0}), NetlinkMessage.request(30, 0, new byte[] {3, 0, 0, 0}));
        List<NetlinkException> out = c.executeBatch(List.of("a", "b", "c"), reqs);
        assertThat(datagrams).as("one sendmsg for the whole batch").hasSize(1);
        assertThat(NetlinkMessage.decodeAll(datagrams.get(0))).hasSize(3)
                .allSatisfy(m -> assertThat(m.flags() & Netlink.NLM_F_ACK).isEqualTo(Netlink.NLM_F_ACK));
        assertThat(out.get(0)).isNull();
        assertThat(out.get(1)).isNotNull().satisfies(e -> {
            assertThat(e.op()).isEqualTo("b");
            assertThat(e.errno()).isEqualTo(12);
            assertThat(e.extAck()).isEqualTo("no memory");
        });
        assertThat(out.get(2)).as("a failed message does not stop the later ones").isNull();
        assertThat(inner.requests()).extracting(NetlinkMessage::seq).doesNotHaveDuplicates();
    }

    @Test
    void errorCarriesOpErrnoSeqAndExtAck() throws Exception {
        FakeKernel k = new FakeKernel(req -> FakeKernel.error(req, 17, "endpoint exists"));
        NetlinkConnection c = new NetlinkConnection(k);
        int seq = c.peekSeq();
        assertThatThrownBy(() -> c.execute("mptcp_pm ADD_ADDR", REQ))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.op()).isEqualTo("mptcp_pm ADD_ADDR");
                    assertThat(e.errno()).isEqualTo(17);
                    assertThat(e.errnoName()).isEqualTo("EEXIST");
                    assertThat(e.seq()).isEqualTo(seq);
                    assertThat(e.extAck()).isEqualTo("endpoint exists");
                    assertThat(e.getMessage()).startsWith("mptcp_pm ADD_ADDR failed: EEXIST (17, ")
                            .contains("[seq " + seq + "]").endsWith("kernel: endpoint exists");
                });
    }

    @Test
    void dumpCollectsPartsUntilDone() throws Exception {
        FakeKernel k = new FakeKernel(req -> FakeKernel.dump(req, 30, List.of(new byte[] {1, 0, 0, 0}, new byte[] {2, 0, 0, 0})));
        NetlinkConnection c = new NetlinkConnection(k);
        Dump d = c.dump("list", REQ);
        assertThat(d.interrupted()).isFalse();
        assertThat(d.messages()).extracting(m -> m.payload()[0]).containsExactly((byte) 1, (byte) 2);
        assertThat(k.lastRequest().flags() & Netlink.NLM_F_DUMP).isEqualTo(Netlink.NLM_F_DUMP);
    }

    @Test
    void dumpInterruptionIsReportedAndRetried() throws Exception {
        int[] calls = {0};
        FakeKernel k = new FakeKernel(req -> FakeKernel.dump(req, 30, List.of(new byte[4]), calls[0]++ < 2));
        NetlinkConnection c = new NetlinkConnection(k);
        assertThat(c.dump("list", REQ).interrupted()).isTrue();
        assertThat(c.dumpConsistent("list", REQ, 3)).hasSize(1);
        assertThat(calls[0]).isEqualTo(3);
        FakeKernel always = new FakeKernel(req -> FakeKernel.dump(req, 30, List.of(new byte[4]), true));
        assertThatThrownBy(() -> new NetlinkConnection(always).dumpConsistent("list", REQ, 2))
                .isInstanceOf(NetlinkDumpInterruptedException.class).hasMessageContaining("NLM_F_DUMP_INTR");
    }

    @Test
    void dumpErrorInDoneIsThrown() throws Exception {
        FakeKernel k = new FakeKernel(req -> List.of(new NetlinkMessage(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, req.seq(), 0,
                io.mpsec.kernel.ffi.Bytes.intLE(-95))));
        assertThatThrownBy(() -> new NetlinkConnection(k).dump("list", REQ))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("EOPNOTSUPP"));
    }

    @Test
    void getWithoutAckCompletesOnFirstReply() throws Exception {
        FakeKernel k = new FakeKernel(req -> List.of(FakeKernel.reply(req, 30, new byte[] {5, 0, 0, 0})));
        assertThat(new NetlinkConnection(k).requestOne("get", REQ).payload()[0]).isEqualTo((byte) 5);
    }

    @Test
    void noReplyIsATimeoutNamingTheOp() {
        FakeKernel k = new FakeKernel(req -> List.of());
        assertThatThrownBy(() -> new NetlinkConnection(k).execute("silent op", REQ))
                .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("silent op");
    }

    @Test
    void notificationsArrivingDuringARequestAreQueued() throws Exception {
        FakeKernel[] ref = new FakeKernel[1];
        ref[0] = new FakeKernel(req -> {
            ref[0].emit(0, FakeKernel.notification(30, new byte[] {9, 0, 0, 0}));
            return FakeKernel.ack(req);
        });
        NetlinkConnection c = new NetlinkConnection(ref[0]);
        c.execute("op", REQ);
        // The notification was queued before the ack (the fake delivers in order).
        NetlinkMessage n = c.nextNotification(0);
        assertThat(n).isNotNull();
        assertThat(n.payload()[0]).isEqualTo((byte) 9);
        assertThat(c.nextNotification(0)).isNull();
    }

    @Test
    void staleRepliesAreIgnored() throws Exception {
        FakeKernel k = new FakeKernel(req -> List.of(
                NetlinkError.encode(req.withSeqAndPid(req.seq() - 1, 0), 22, null).withSeqAndPid(req.seq() - 1, 0),
                NetlinkError.encode(req, 0, null)));
        new NetlinkConnection(k).execute("op", REQ);
    }
}
