package io.mpsec.ipsec.paths;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.ipsec.xfrm.XfrmEvents;
import io.mpsec.ipsec.xfrm.msg.NewSa;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmUserExpire;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaInfo;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A soft EXPIRE of an active SA rekeys once; log lines never carry key material. */
class AutoRekeyTest {
    @TempDir
    Path dir;

    @Test
    void softExpireRekeysOnceAndLogsNoKeys() throws Exception {
        byte[] raw = new byte[32];
        new java.util.Random(5).nextBytes(raw);
        SecretBytes master = SecretBytes.copyOf(raw);
        FakeXfrmDatabase db = new FakeXfrmDatabase();
        SecurePaths p = SecurePaths.builder().xfrm(new XfrmClient(new NetlinkConnection(new FakeKernel(db))))
                .local(List.of(InetAddress.getByName("198.18.1.1"))).remote(List.of(InetAddress.getByName("198.18.1.2")))
                .masterKey(master).generations(KeyGenerations.open(dir.resolve("m.key"))).killSwitchOnExit(false).learnPeerGeneration(false).joinGate(false).build();
        p.apply();
        SecurityAssociation out = p.installedSas().get(1L).stream().filter(PathSa::outbound).findFirst().orElseThrow().sa();
        XfrmUsersaInfo info = XfrmUsersaInfo.read(ByteBuffer.wrap(NewSa.encode(out, false).payload()).order(ByteOrder.nativeOrder()), 0);

        List<String> logged = new ArrayList<>();
        Logger log = Logger.getLogger(AutoRekey.class.getName());
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r.getMessage() + " " + r.getThrown());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(h);
        FakeKernel events = new FakeKernel(FakeKernel::ack);
        BlockingQueue<Long> rekeyed = new LinkedBlockingQueue<>();
        try (AutoRekey a = new AutoRekey(p, new XfrmEvents(new NetlinkConnection(events)), 0, rekeyed::add)) {
            events.emit(Xfrm.XFRMNLGRP_EXPIRE, FakeKernel.notification(Xfrm.XFRM_MSG_EXPIRE, new XfrmUserExpire(info, false).toBytes()));
            events.emit(Xfrm.XFRMNLGRP_EXPIRE, FakeKernel.notification(Xfrm.XFRM_MSG_EXPIRE, new XfrmUserExpire(info, false).toBytes()));
            assertThat(rekeyed.poll(10, TimeUnit.SECONDS)).isEqualTo(2L);
            assertThat(rekeyed.poll(500, TimeUnit.MILLISECONDS)).as("second expire of a retired SA ignored").isNull();
        } finally {
            log.removeHandler(h);
        }
        assertThat(p.activeGeneration()).isEqualTo(2);
        // generation 1 stays: no traffic arrived on a newer one, so nothing proves the peer moved on
        assertThat(p.installedSas()).containsOnlyKeys(1L, 2L, 3L, 4L);
        assertThat(logged).isNotEmpty();
        byte[] key = ((io.mpsec.ipsec.SaAlgorithm.Aead) out.algorithm()).key().copy();
        for (String line : logged) {
            assertThat(line).doesNotContainIgnoringCase(HexFormat.of().formatHex(key).substring(0, 16));
            assertThat(line).doesNotContainIgnoringCase(HexFormat.of().formatHex(raw).substring(0, 16));
        }
    }

    @Test
    void aFailedRekeyIsRetriedAndTheThreadKeepsRunning() throws Exception {
        SecretBytes master = SecretBytes.copyOf(new byte[32]);
        FakeXfrmDatabase db = new FakeXfrmDatabase();
        SecurePaths p = SecurePaths.builder().xfrm(new XfrmClient(new NetlinkConnection(new FakeKernel(db))))
                .local(List.of(InetAddress.getByName("198.18.1.1"))).remote(List.of(InetAddress.getByName("198.18.1.2")))
                .masterKey(master).generations(KeyGenerations.open(dir.resolve("m.key"))).killSwitchOnExit(false).learnPeerGeneration(false).joinGate(false).build();
        p.apply();
        SecurityAssociation out = p.installedSas().get(1L).stream().filter(PathSa::outbound).findFirst().orElseThrow().sa();
        XfrmUsersaInfo info = XfrmUsersaInfo.read(ByteBuffer.wrap(NewSa.encode(out, false).payload()).order(ByteOrder.nativeOrder()), 0);
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(AutoRekey.class.getName());
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(h);
        FakeKernel events = new FakeKernel(FakeKernel::ack);
        BlockingQueue<Long> rekeyed = new LinkedBlockingQueue<>();
        db.failAdds = 1; // the first attempt fails in the kernel (ENOBUFS)
        try (AutoRekey a = new AutoRekey(p, new XfrmEvents(new NetlinkConnection(events)), 60_000, rekeyed::add)) {
            events.emit(Xfrm.XFRMNLGRP_EXPIRE, FakeKernel.notification(Xfrm.XFRM_MSG_EXPIRE, new XfrmUserExpire(info, false).toBytes()));
            Long next = rekeyed.poll(30, TimeUnit.SECONDS);
            assertThat(next).as("rekeyed after a retry").isNotNull().isGreaterThan(1L);
            assertThat(p.activeGeneration()).isEqualTo(next);
        } finally {
            log.removeHandler(h);
        }
        assertThat(logged).anyMatch(l -> l.startsWith("rekey failed") && l.contains("retrying"));
        assertThat(logged).noneMatch(l -> l.contains("stopped"));
    }

    @Test
    void healthOfARealSecurePathsThroughAnOverrunAndARekeyCarriesNoKeys() throws Exception {
        byte[] raw = new byte[32];
        new java.util.Random(7).nextBytes(raw);
        SecretBytes master = SecretBytes.copyOf(raw);
        FakeXfrmDatabase db = new FakeXfrmDatabase();
        SecurePaths p = SecurePaths.builder().xfrm(new XfrmClient(new NetlinkConnection(new FakeKernel(db))))
                .local(List.of(InetAddress.getByName("198.18.1.1"))).remote(List.of(InetAddress.getByName("198.18.1.2")))
                .masterKey(master).generations(KeyGenerations.open(dir.resolve("m.key"))).killSwitchOnExit(false).learnPeerGeneration(false).joinGate(false).build();
        p.apply();
        SecurityAssociation out = p.installedSas().get(1L).stream().filter(PathSa::outbound).findFirst().orElseThrow().sa();
        FakeKernel events = new FakeKernel(FakeKernel::ack);
        List<RekeyHealth> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        RekeyHealth h;
        try (AutoRekey a = AutoRekey.builder(p).subscriptions(() -> new XfrmEvents(new NetlinkConnection(events))).graceMillis(60_000)
                .onHealth(seen::add).start()) {
            assertThat(a.health().activeGeneration()).isEqualTo(1);
            events.emitFailure(new io.mpsec.NativeIoException("recvfrom(AF_NETLINK)", io.mpsec.kernel.ffi.Errno.ENOBUFS, "ENOBUFS",
                    "recvfrom(AF_NETLINK) failed: ENOBUFS"));
            events.emit(Xfrm.XFRMNLGRP_EXPIRE, AutoRekeyResilienceTest.expire(out, false));
            AutoRekeyResilienceTest.await("rekeyed", () -> a.health().rekeys() == 1 && a.health().eventOverruns() == 1);
            h = a.health();
            assertThat(h.state()).isEqualTo(RekeyHealth.State.RUNNING);
            assertThat(h.activeGeneration()).isEqualTo(2).isEqualTo(p.activeGeneration());
            assertThat(h.lastRekeyGeneration()).isEqualTo(2);
            assertThat(h.lastRekeyCause()).isEqualTo(RekeyHealth.Cause.SOFT_EXPIRE);
            assertThat(h.lastRekeyAt()).isNotNull();
            assertThat(h.firstOverrunAt()).isNotNull();
            assertThat(h.lastError()).isNull();
            assertThat(h.consecutiveFailures()).isZero();
            assertThat(h.subscriptionRestarts()).isZero();
            AutoRekeyResilienceTest.await("peers known", () -> !a.health().peers().isEmpty());
            assertThat(a.health().peers()).containsExactly(InetAddress.getByName("198.18.1.2"));
        }
        assertThat(events.isClosed()).isTrue();
        assertThat(seen.get(seen.size() - 1).state()).isEqualTo(RekeyHealth.State.STOPPED);
        byte[] key = ((io.mpsec.ipsec.SaAlgorithm.Aead) out.algorithm()).key().copy();
        for (RekeyHealth r : seen) {
            assertThat(r.toString()).doesNotContainIgnoringCase(HexFormat.of().formatHex(key).substring(0, 16))
                    .doesNotContainIgnoringCase(HexFormat.of().formatHex(raw).substring(0, 16));
        }
        System.out.println("health after an overrun and a rekey: " + h);
    }
}
