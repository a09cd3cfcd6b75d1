package io.mpsec.ipsec.paths;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.NativeIoException;
import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.paths.RekeyHealth.Cause;
import io.mpsec.ipsec.paths.RekeyHealth.State;
import io.mpsec.ipsec.xfrm.XfrmEvents;
import io.mpsec.ipsec.xfrm.msg.NewSa;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmUserExpire;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaInfo;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * AutoRekey keeps going through everything that used to stop it: ENOBUFS, undecodable messages,
 * exceptions from SecurePaths and from callbacks, a dead event socket. The event source is a fake
 * kernel at the message level; SecurePaths is a {@link FakeTarget}; time is {@link ManualTime}
 * where timing matters, so no assertion depends on the machine's speed.
 */
class AutoRekeyResilienceTest {
    static final Lifetime NO_TIME_LIMIT = Lifetime.UNLIMITED;

    static NetlinkMessage expire(SecurityAssociation sa, boolean hard) throws io.mpsec.kernel.netlink.NetlinkFormatException {
        XfrmUsersaInfo info = XfrmUsersaInfo.read(ByteBuffer.wrap(NewSa.encode(sa, false).payload()).order(ByteOrder.nativeOrder()), 0);
        return FakeKernel.notification(Xfrm.XFRM_MSG_EXPIRE, new XfrmUserExpire(info, hard).toBytes());
    }

    static NativeIoException errno(int errno, String name) {
        return new NativeIoException("recvfrom(AF_NETLINK)", errno, name, "recvfrom(AF_NETLINK) failed: " + name);
    }

    /** Waits (real time, at most 10 s) for a condition the AutoRekey or event thread brings about. */
    static void await(String what, BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    static XfrmEvents events(FakeKernel k) throws IOException {
        return new XfrmEvents(new NetlinkConnection(k));
    }

    @Test
    void enobufsIsCountedTheStateIsRecheckedAndLaterExpiresStillRekey() throws Exception {
        ManualTime time = new ManualTime();
        FakeTarget t = new FakeTarget(time, NO_TIME_LIMIT);
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        List<Long> rekeyed = new CopyOnWriteArrayList<>();
        List<RekeyHealth> seen = new CopyOnWriteArrayList<>();
        try (AutoRekey a = AutoRekey.builder(t).events(events(k)).time(time).onRekey(rekeyed::add).onHealth(seen::add).start()) {
            time.awaitIdle();
            int maintainsBefore = t.maintainCalls.size();
            k.emitFailure(errno(Errno.ENOBUFS, "ENOBUFS"));
            await("the overrun is counted and re-checked", () -> a.health().resyncs() == 1);
            // the re-check runs maintain() at once, without waiting for the 1 s tick
            assertThat(t.maintainCalls).hasSize(maintainsBefore + 1);
            RekeyHealth h = a.health();
            assertThat(h.eventOverruns()).isEqualTo(1);
            assertThat(h.firstOverrunAt()).isEqualTo(ManualTime.BASE).isEqualTo(h.lastOverrunAt());
            assertThat(h.state()).isEqualTo(State.RUNNING);
            time.advance(500);
            time.awaitIdle();
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(t.activeOutbound(), false));
            await("rekeyed after the overrun", () -> rekeyed.size() == 1);
            h = a.health();
            assertThat(h.lastRekeyCause()).isEqualTo(Cause.SOFT_EXPIRE);
            assertThat(h.lastRekeyAt()).isAfter(h.firstOverrunAt());
            assertThat(h.lastRekeyGeneration()).isEqualTo(2);
            assertThat(h.rekeys()).isEqualTo(1);
        }
        assertThat(seen).as("an overrun always comes with its time").isNotEmpty()
                .allMatch(r -> r.eventOverruns() == 0 || r.firstOverrunAt() != null);
    }

    @Test
    void undecodableMessagesAndHardOrForeignExpiresAreSkipped() throws Exception {
        ManualTime time = new ManualTime();
        FakeTarget t = new FakeTarget(time, NO_TIME_LIMIT);
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        try (AutoRekey a = AutoRekey.builder(t).events(events(k)).time(time).start()) {
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, FakeKernel.notification(Xfrm.XFRM_MSG_EXPIRE, new byte[10])); // decoder throws
            k.emitRaw(new byte[] {(byte) 0xff, 0, 0, 0, 1, 2}); // netlink length past the datagram
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(t.activeOutbound(), true)); // hard: ignored
            SecurityAssociation inbound = t.installedSas().get(1L).stream().filter(s -> !s.outbound()).findFirst().orElseThrow().sa();
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(inbound, false)); // not outbound: ignored
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(t.activeOutbound(), false));
            await("rekeyed after the bad messages", () -> a.health().rekeys() == 1);
            RekeyHealth h = a.health();
            assertThat(h.skippedEvents()).isEqualTo(2);
            assertThat(h.state()).isEqualTo(State.RUNNING);
            assertThat(t.rekeyCalls).hasSize(1);
        }
    }

    @Test
    void exceptionsFromSecurePathsAreRetriedWithBackoffAndShownInTheHealth() throws Exception {
        ManualTime time = new ManualTime();
        FakeTarget t = new FakeTarget(time, NO_TIME_LIMIT);
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        String key = "0x" + "ab".repeat(36);
        t.rekeyFailures.add(new IllegalStateException("bad state for key " + key + "\nsecond line"));
        t.rekeyFailures.add(new IOException("xfrm NEWSA failed: ENOBUFS"));
        List<RekeyHealth> seen = new CopyOnWriteArrayList<>();
        try (AutoRekey a = AutoRekey.builder(t).events(events(k)).time(time).onHealth(seen::add).start()) {
            time.awaitIdle();
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(t.activeOutbound(), false));
            await("first attempt", () -> t.rekeyCalls.size() == 1 && a.health().consecutiveFailures() == 1);
            time.awaitIdle();
            RekeyHealth h = a.health();
            assertThat(h.state()).isEqualTo(State.DEGRADED);
            assertThat(h.lastError().operation()).isEqualTo("rekey");
            assertThat(h.lastError().exceptionClass()).isEqualTo(IllegalStateException.class.getName());
            assertThat(h.lastError().message()).isEqualTo("bad state for key <redacted>").doesNotContain("abab");
            assertThat(h.lastError().at()).isEqualTo(ManualTime.BASE);
            time.run(1000, 250);
            assertThat(t.rekeyCalls).containsExactly(0L, 1000L);
            assertThat(a.health().consecutiveFailures()).isEqualTo(2);
            assertThat(a.health().lastError().message()).isEqualTo("xfrm NEWSA failed: ENOBUFS");
            time.run(2000, 250);
            assertThat(t.rekeyCalls).containsExactly(0L, 1000L, 3000L);
            h = a.health();
            assertThat(h.state()).isEqualTo(State.RUNNING);
            assertThat(h.consecutiveFailures()).isZero();
            assertThat(h.rekeys()).isEqualTo(1);
            assertThat(h.lastRekeyAt()).isEqualTo(ManualTime.BASE.plusMillis(3000));
            assertThat(h.lastError()).as("the last error stays visible after recovery").isNotNull();
            // maintain() failing (IOException, then RuntimeException) is retried the same way; the thread lives on
            t.maintainFailures.add(new IOException("GETSA timed out"));
            t.maintainFailures.add(new IllegalArgumentException("boom"));
            int before = t.maintainCalls.size();
            time.run(4000, 250);
            List<Long> m = t.maintainCalls.subList(before, t.maintainCalls.size());
            long first = m.get(0);
            assertThat(m).as("fails, retried after 1 s, fails, retried after 2 s, then every second")
                    .containsExactly(first, first + 1000, first + 3000);
            assertThat(a.health().state()).isEqualTo(State.RUNNING);
        }
        assertThat(seen).extracting(RekeyHealth::state).contains(State.DEGRADED, State.RUNNING, State.STOPPED);
        assertThat(seen.get(seen.size() - 1).state()).isEqualTo(State.STOPPED);
    }

    @Test
    void backoffDoublesFromOneSecondToThirtyAndResetsAfterASuccess() throws Exception {
        ManualTime time = new ManualTime();
        FakeTarget t = new FakeTarget(time, NO_TIME_LIMIT);
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        for (int i = 0; i < 8; i++) {
            t.rekeyFailures.add(new IOException("EAGAIN " + i));
        }
        try (AutoRekey a = AutoRekey.builder(t).events(events(k)).time(time).start()) {
            time.awaitIdle();
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(t.activeOutbound(), false));
            await("first attempt", () -> t.rekeyCalls.size() == 1);
            time.awaitIdle();
            time.run(1000 + 2000 + 4000 + 8000 + 16000 + 30000 + 30000 + 30000, 500);
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < t.rekeyCalls.size(); i++) {
                gaps.add(t.rekeyCalls.get(i) - t.rekeyCalls.get(i - 1));
            }
            assertThat(gaps).containsExactly(1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L, 30000L);
            assertThat(a.health().rekeys()).isEqualTo(1);
            assertThat(a.health().consecutiveFailures()).isZero();
            // after the success the next failure waits 1 s again
            t.rekeyFailures.add(new IOException("EAGAIN again"));
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(t.activeOutbound(), false));
            await("attempt after the second expire", () -> t.rekeyCalls.size() == 10);
            time.awaitIdle();
            time.run(1000, 250);
            assertThat(t.rekeyCalls.get(10) - t.rekeyCalls.get(9)).isEqualTo(1000);
            assertThat(a.health().rekeys()).isEqualTo(2);
        }
    }

    @Test
    void aFatalSocketErrorReopensTheSubscriptionWithBackoffWhileHousekeepingGoesOn() throws Exception {
        ManualTime time = new ManualTime();
        FakeTarget t = new FakeTarget(time, NO_TIME_LIMIT);
        List<FakeKernel> kernels = new CopyOnWriteArrayList<>();
        List<Long> opens = new CopyOnWriteArrayList<>();
        int[] failOpens = {2};
        AutoRekey.Subscriptions subs = () -> {
            opens.add(time.millis());
            if (opens.size() > 1 && failOpens[0]-- > 0) {
                throw new IOException("socket(AF_NETLINK) failed: EMFILE");
            }
            FakeKernel k = new FakeKernel(FakeKernel::ack);
            kernels.add(k);
            return events(k);
        };
        try (AutoRekey a = AutoRekey.builder(t).subscriptions(subs).time(time).start()) {
            time.awaitIdle();
            assertThat(a.health().state()).isEqualTo(State.RUNNING);
            kernels.get(0).emitFailure(errno(Errno.EBADF, "EBADF"));
            await("the dead socket is noticed", () -> a.health().state() == State.DEGRADED);
            time.awaitIdle();
            assertThat(kernels.get(0).isClosed()).as("the failed subscription is closed").isTrue();
            assertThat(a.health().lastError().operation()).isEqualTo("event socket");
            long failedAt = time.millis();
            int maintains = t.maintainCalls.size();
            time.run(3000, 250);
            // reopen attempts after 1 s and 2 s more fail; housekeeping goes on every second meanwhile
            assertThat(opens).containsExactly(0L, failedAt + 1000, failedAt + 3000);
            assertThat(a.health().state()).isEqualTo(State.DEGRADED);
            assertThat(a.health().lastError().operation()).isEqualTo("subscribe");
            assertThat(a.health().lastError().message()).contains("EMFILE");
            assertThat(t.maintainCalls.size() - maintains).isGreaterThanOrEqualTo(3);
            time.run(4000, 250);
            assertThat(opens).containsExactly(0L, failedAt + 1000, failedAt + 3000, failedAt + 7000);
            RekeyHealth h = a.health();
            assertThat(h.state()).isEqualTo(State.RUNNING);
            assertThat(h.subscriptionRestarts()).isEqualTo(1);
            assertThat(h.consecutiveFailures()).isZero();
            assertThat(h.resyncs()).as("re-checked after the reopen").isEqualTo(1);
            // the new subscription works
            kernels.get(1).emit(Xfrm.XFRMNLGRP_EXPIRE, expire(t.activeOutbound(), false));
            await("rekeyed over the new subscription", () -> a.health().rekeys() == 1);
            kernels.get(1).emitFailure(errno(Errno.ENOBUFS, "ENOBUFS"));
            await("overrun counted on the new subscription", () -> a.health().eventOverruns() == 1);
        }
        assertThat(kernels.get(1).isClosed()).isTrue();
    }

    @Test
    void aSubscriptionThatCannotReopenLeavesItDegradedButAlive() throws Exception {
        ManualTime time = new ManualTime();
        FakeTarget t = new FakeTarget(time, Lifetime.seconds(10, 300));
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        try (AutoRekey a = AutoRekey.builder(t).events(events(k)).time(time).start()) {
            time.awaitIdle();
            k.emitFailure(errno(Errno.EBADF, "EBADF"));
            await("the dead socket is noticed", () -> a.health().state() == State.DEGRADED);
            time.awaitIdle();
            time.run(13_000, 500);
            RekeyHealth h = a.health();
            assertThat(h.state()).isEqualTo(State.DEGRADED);
            assertThat(h.lastError().operation()).isEqualTo("subscribe");
            assertThat(h.lastError().message()).contains("cannot reopen itself").contains("subscriptions(");
            // without events the soft lifetime still rekeys on time
            assertThat(h.rekeys()).isEqualTo(1);
            assertThat(h.lastRekeyCause()).isEqualTo(Cause.MISSED_EXPIRE);
        }
    }

    @Test
    void aSoftExpireLostInAnOverrunIsMadeUpByTheSoftLifetimeCheck() throws Exception {
        ManualTime time = new ManualTime();
        FakeTarget t = new FakeTarget(time, Lifetime.seconds(10, 300));
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        try (AutoRekey a = AutoRekey.builder(t).events(events(k)).time(time).start()) {
            time.awaitIdle();
            time.run(5000, 500);
            k.emitFailure(errno(Errno.ENOBUFS, "ENOBUFS")); // the soft EXPIRE is lost in it
            await("overrun counted", () -> a.health().resyncs() == 1);
            time.awaitIdle();
            time.run(6999, 500); // 11,999 ms: soft lifetime (10 s) plus 2 s slack not yet over
            assertThat(t.rekeyCalls).isEmpty();
            time.run(1, 1);
            assertThat(t.rekeyCalls).containsExactly(12_000L);
            RekeyHealth h = a.health();
            assertThat(h.lastRekeyCause()).isEqualTo(Cause.MISSED_EXPIRE);
            assertThat(h.activeGeneration()).isEqualTo(2);
            // the new generation's age counts from its activation
            time.run(11_500, 500);
            assertThat(t.rekeyCalls).containsExactly(12_000L);
        }
    }

    @Test
    void callbackExceptionsAreCountedAndNeverStopTheThread() throws Exception {
        ManualTime time = new ManualTime();
        FakeTarget t = new FakeTarget(time, NO_TIME_LIMIT);
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        XfrmEvents ev = events(k);
        ev.subscribe(e -> {
            throw new IllegalStateException("subscriber bug");
        });
        AutoRekey.Builder b = AutoRekey.builder(t).events(ev).time(time).onRekey(g -> {
            throw new IllegalStateException("onRekey bug");
        }).onHealth(h -> {
            throw new AssertionError("listener bug");
        });
        try (AutoRekey a = b.start()) {
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(t.activeOutbound(), false));
            await("first rekey", () -> a.health().rekeys() == 1);
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(t.activeOutbound(), false));
            await("second rekey", () -> a.health().rekeys() == 2);
            RekeyHealth h = a.health();
            // 2 subscriber + 2 onRekey + at least 1 health listener failure
            assertThat(h.callbackFailures()).isGreaterThanOrEqualTo(5);
            assertThat(h.lastError().operation()).isEqualTo("callback");
            assertThat(h.state()).as("callback failures do not degrade rekeying").isEqualTo(State.RUNNING);
        }
    }

    @Test
    void followingThePeerAndAFailingGenerationLookup() throws Exception {
        ManualTime time = new ManualTime();
        FakeTarget t = new FakeTarget(time, NO_TIME_LIMIT);
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        try (AutoRekey a = AutoRekey.builder(t).events(events(k)).time(time).start()) {
            time.awaitIdle();
            t.peerGeneration = 4;
            time.run(1000, 500);
            RekeyHealth h = a.health();
            assertThat(h.lastRekeyCause()).isEqualTo(Cause.PEER);
            assertThat(h.activeGeneration()).isEqualTo(4);
            assertThat(h.peers()).containsExactly(FakeTarget.REMOTE);
            // SecurePaths cannot say which generation is active: the expire is not ignored
            SecurityAssociation out = t.activeOutbound();
            t.generationFailure = new IllegalStateException("SecurePaths is closed");
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(out, false));
            await("rekeyed although the generation lookup failed", () -> t.rekeyCalls.size() == 1);
            time.awaitIdle();
            time.run(1000, 250);
            h = a.health();
            assertThat(h.state()).isEqualTo(State.DEGRADED);
            assertThat(h.lastError().message()).isEqualTo("SecurePaths is closed");
            t.generationFailure = null;
            time.run(1000, 250);
            h = a.health();
            assertThat(h.state()).isEqualTo(State.RUNNING);
            assertThat(h.activeGeneration()).isEqualTo(5);
            assertThat(h.rekeys()).isEqualTo(2);
        }
    }

    @Test
    void anErrorThrownBySecurePathsDoesNotEndTheThreadEither() throws Exception {
        ManualTime time = new ManualTime();
        FakeTarget t = new FakeTarget(time, NO_TIME_LIMIT);
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        List<RekeyHealth> seen = new CopyOnWriteArrayList<>();
        try (AutoRekey a = AutoRekey.builder(t).events(events(k)).time(time).onHealth(seen::add).start()) {
            time.awaitIdle();
            t.maintainError = new StackOverflowError("deep recursion in a test double");
            time.advance(1000);
            await("the error is recorded", () -> seen.stream().anyMatch(h -> h.lastError() != null));
            assertThat(seen).anyMatch(h -> h.state() == State.DEGRADED && h.lastError().operation().equals("loop")
                    && h.lastError().exceptionClass().equals(StackOverflowError.class.getName()));
            time.awaitIdle();
            time.run(2000, 250);
            assertThat(a.health().state()).isEqualTo(State.RUNNING);
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(t.activeOutbound(), false));
            await("still rekeys", () -> a.health().rekeys() == 1);
        }
    }

    @Test
    void backoffSequence() {
        Backoff b = new Backoff();
        List<Long> d = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            d.add(b.next());
        }
        assertThat(d).containsExactly(1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L, 30000L);
        b.reset();
        assertThat(b.next()).isEqualTo(1000);
    }

    @Test
    void failureMessagesAreOneLineWithoutKeys() {
        RekeyHealth.Failure f = RekeyHealth.Failure.of(ManualTime.BASE, "rekey",
                new IOException("key 00112233445566778899aabbccddeeff00112233 rejected\n\tat somewhere"));
        assertThat(f.message()).isEqualTo("key <redacted> rejected");
        assertThat(RekeyHealth.Failure.of(ManualTime.BASE, "rekey", new NullPointerException()).message())
                .isEqualTo("NullPointerException");
        assertThat(RekeyHealth.Failure.of(ManualTime.BASE, "rekey", new IOException("x".repeat(1000))).message()).hasSize(303);
    }
}
