package io.mpsec.ipsec.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.keys.KeyReuseException;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts' SecurePaths against fake SAD/SPDs (pure logic; the kernel-lane tests prove the same on
 * the wire): matching SAs, policy layout and order, kill switch, ownership, rollback, rekey and retire.
 */
class SecurePathsTest {
    static final SecretBytes MASTER = SecretBytes.copyOf(new byte[32]);
    @TempDir
    Path dir;

    static List<InetAddress> ips(String... s) throws Exception {
        InetAddress[] a = new InetAddress[s.length];
        for (int i = 0; i < s.length; i++) {
            a[i] = InetAddress.getByName(s[i]);
        }
        return List.of(a);
    }

    static SecurePaths host(FakeXfrmDatabase db, List<InetAddress> local, List<InetAddress> remote, KeyGenerations g) {
        return host(db, local, remote, g, System::nanoTime);
    }

    static SecurePaths host(FakeXfrmDatabase db, List<InetAddress> local, List<InetAddress> remote, KeyGenerations g,
            LongSupplier clock) {
        return SecurePaths.builder().xfrm(new XfrmClient(new NetlinkConnection(new FakeKernel(db)))).local(local).remote(remote)
                .masterKey(MASTER).generations(g).clock(clock).killSwitchOnExit(false).learnPeerGeneration(false).joinGate(false).build();
    }

    /** The SAs of one direction, lifetimes normalised (inbound SAs installed ahead live longer). */
    static Set<SecurityAssociation> sas(SecurePaths p, long gen, boolean outbound) {
        return p.installedSas().getOrDefault(gen, List.of()).stream().filter(s -> s.outbound() == outbound)
                .map(s -> s.sa().toBuilder().lifetime(SecurePaths.defaultLifetime(true)).build()).collect(Collectors.toSet());
    }

    @Test
    void bothHostsInstallMatchingSasForEveryAddressPair() throws Exception {
        FakeXfrmDatabase ka = new FakeXfrmDatabase();
        FakeXfrmDatabase kb = new FakeXfrmDatabase();
        List<InetAddress> a = ips("198.18.1.1", "198.18.2.1");
        List<InetAddress> b = ips("198.18.1.2", "198.18.2.2");
        SecurePaths pa = host(ka, a, b, KeyGenerations.open(dir.resolve("a.key")));
        SecurePaths pb = host(kb, b, a, KeyGenerations.open(dir.resolve("b.key")));
        pa.apply(1);
        pb.apply(1);
        // 2x2 pairs: generation 1 both directions (8), inbound of generations 2 and 3 ahead (4 + 4)
        assertThat(ka.sas).hasSize(16);
        assertThat(pa.installedSas()).containsOnlyKeys(1L, 2L, 3L);
        assertThat(sas(pa, 1, true).equals(sas(pb, 1, false))).as("a's outbound = b's inbound").isTrue();
        assertThat(sas(pa, 1, false).equals(sas(pb, 1, true))).as("a's inbound = b's outbound").isTrue();
        assertThat(sas(pa, 2, true)).isEmpty();
        assertThat(ka.sas.values().stream().map(SecurityAssociation::spi).collect(Collectors.toSet())).hasSize(16);
        assertThat(ka.sas.values()).allSatisfy(sa -> {
            assertThat(sa.esn()).isTrue();
            assertThat(sa.lifetime().softAddSeconds()).isPositive().isLessThan(sa.lifetime().hardAddSeconds());
            assertThat(sa.lifetime().softBytes()).isLessThan(sa.lifetime().hardBytes());
        });
        // inbound SAs installed ahead outlive the sender's outbound SAs installed later
        assertThat(pa.installedSas().get(2L)).allSatisfy(s -> assertThat(s.sa().lifetime().hardAddSeconds())
                .isGreaterThan(3 * SecurePaths.defaultLifetime(true).hardAddSeconds()));
        // per pair an OUT and an IN policy, all fail-closed
        assertThat(ka.policies).hasSize(8);
        assertThat(ka.policies.values()).allMatch(SecurityPolicy::failClosed);
        assertThat(ka.policies.values().stream().filter(p -> p.direction() == Direction.OUT)
                .map(p -> p.templates().get(0).reqid())).containsOnly(SecurePaths.reqid(1));
        assertThat(ka.policies.values().stream().filter(p -> p.direction() == Direction.IN)
                .map(p -> p.templates().get(0).reqid())).containsOnly(0L);
    }

    KeyGenerations gens(String name) throws java.io.IOException {
        return KeyGenerations.open(dir.resolve(name + ".key"));
    }

    static long countBlock(FakeXfrmDatabase k) {
        return k.policies.values().stream().filter(p -> p.action() == SecurityPolicy.Action.BLOCK).count();
    }

    @Test
    void applyInstallsEveryPolicyBeforeAnySaInOneBatch() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        SecurePaths p = host(k, ips("198.18.1.1", "198.18.2.1"), ips("198.18.1.2", "198.18.2.2"), gens("a"));
        p.apply();
        assertThat(k.log.subList(0, 8)).allMatch(l -> l.startsWith("POL "));
        assertThat(k.log.subList(8, k.log.size())).allMatch(l -> l.startsWith("SA+ "));
        assertThat(k.policies.values()).allMatch(pol -> pol.priority() == SecurePaths.DEFAULT_PRIORITY);
    }

    @Test
    void rekeySwitchesOutboundOnlyAndRetiresTheOldGenerationOnlyAfterTrafficOnANewerOne() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        AtomicLong now = new AtomicLong(1_000_000);
        SecurePaths p = host(k, ips("198.18.1.1"), ips("198.18.1.2"), gens("m"), now::get);
        p.apply(1);
        SecurityAssociation in1 = sas(p, 1, false).iterator().next();
        SecurityAssociation out1 = sas(p, 1, true).iterator().next();
        k.log.clear();
        p.activate(2);
        // outbound SA of 2, then the OUT policy switch, then the inbound SA of 4 ahead; nothing removed yet
        assertThat(k.log).hasSize(3);
        assertThat(k.log.get(0)).startsWith("SA+ 198.18.1.2/");
        assertThat(k.log.get(1)).startsWith("POL OUT").endsWith("reqid " + SecurePaths.reqid(2));
        assertThat(k.log.get(2)).startsWith("SA+ 198.18.1.1/");
        assertThat(p.activeGeneration()).isEqualTo(2);
        assertThat(p.installedSas()).containsOnlyKeys(1L, 2L, 3L, 4L);
        // the peer still sends on generation 1, then both go idle far past the grace period: 1 stays,
        // because nothing proves the peer moved on (it may speak first on 1 after hours)
        k.bytes.put(FakeXfrmDatabase.saKey(in1.destination(), in1.spi()), 5000L);
        p.maintain(1000);
        now.addAndGet(3_600_000);
        p.maintain(1000);
        assertThat(p.installedSas()).containsKey(1L);
        // the peer moves to 2: generation 1 is retired once it then stayed idle for the grace period
        SecurityAssociation in2 = sas(p, 2, false).iterator().next();
        k.bytes.put(FakeXfrmDatabase.saKey(in2.destination(), in2.spi()), 100L);
        p.maintain(1000);
        now.addAndGet(999);
        p.maintain(1000);
        assertThat(p.installedSas()).containsKey(1L);
        now.addAndGet(1);
        k.log.clear();
        p.maintain(1000);
        assertThat(p.installedSas()).containsOnlyKeys(2L, 3L, 4L);
        assertThat(k.log).containsExactlyInAnyOrder("SA- " + FakeXfrmDatabase.saKey(in1.destination(), in1.spi()),
                "SA- " + FakeXfrmDatabase.saKey(out1.destination(), out1.spi()));
        assertThat(p.peerGenerations()).containsEntry(InetAddress.getByName("198.18.1.2"), 2L);
    }

    @Test
    void hostsRekeyingAtDifferentTimesKeepMatchingSasAndTheLaterOneFollows() throws Exception {
        FakeXfrmDatabase ka = new FakeXfrmDatabase();
        FakeXfrmDatabase kb = new FakeXfrmDatabase();
        AtomicLong now = new AtomicLong();
        SecurePaths a = host(ka, ips("198.18.1.1"), ips("198.18.1.2"), gens("a"), now::get);
        SecurePaths b = host(kb, ips("198.18.1.2"), ips("198.18.1.1"), gens("b"), now::get);
        a.apply();
        b.apply();
        assertThat(a.rekeyOutbound()).isEqualTo(2);
        assertThat(sas(b, 2, false).equals(sas(a, 2, true))).isTrue();
        assertThat(sas(a, 1, false).equals(sas(b, 1, true))).isTrue();
        SecurityAssociation bIn2 = sas(b, 2, false).iterator().next();
        kb.bytes.put(FakeXfrmDatabase.saKey(bIn2.destination(), bIn2.spi()), 100L);
        assertThat(b.maintain(1000)).isEqualTo(2);
        assertThat(sas(b, 2, true).equals(sas(a, 2, false))).isTrue();
        assertThat(kb.policies.values().stream().filter(p -> p.direction() == Direction.OUT)
                .map(p -> p.templates().get(0).reqid())).containsOnly(SecurePaths.reqid(2));
        b.close(); // releases the ledger
        try (KeyGenerations g = gens("b")) {
            assertThat(g.current()).isEqualTo(2);
        }
    }

    @Test
    void aRestartMovesToANewGenerationByItselfAndAnExplicitReapplyIsRefused() throws Exception {
        for (int i = 0; i < 2; i++) {
            try (KeyGenerations g = gens("a")) { // the process ends: its ledger lock goes with it
                host(new FakeXfrmDatabase(), ips("198.18.1.1"), ips("198.18.1.2"), g).apply();
            }
        }
        SecurePaths a = host(new FakeXfrmDatabase(), ips("198.18.1.1"), ips("198.18.1.2"), gens("a"));
        a.apply();
        assertThat(a.activeGeneration()).isEqualTo(3);
        assertThatThrownBy(() -> gens("a")).as("a second ledger user while the first runs")
                .isInstanceOf(io.mpsec.ipsec.keys.KeyLedgerLockedException.class);
        a.close();
        SecurePaths again = host(new FakeXfrmDatabase(), ips("198.18.1.1"), ips("198.18.1.2"), gens("a"));
        assertThatThrownBy(() -> again.apply(3)).isInstanceOf(KeyReuseException.class).hasMessageContaining("generation 3")
                .hasMessageContaining("Move both hosts to generation 4");
    }

    @Test
    void closeIsAKillSwitchAndALaterApplyPicksUpTheBlockedState() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        List<InetAddress> local = ips("198.18.1.1", "198.18.2.1");
        List<InetAddress> remote = ips("198.18.1.2", "198.18.2.2");
        SecurePaths p = host(k, local, remote, gens("a"));
        p.apply();
        p.close();
        assertThat(k.sas).as("SAs removed").isEmpty();
        assertThat(k.policies).hasSize(8);
        assertThat(countBlock(k)).as("every policy BLOCK").isEqualTo(8);
        assertThat(p.isClosed()).isTrue();
        assertThatThrownBy(p::apply).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(p::rekeyOutbound).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> p.maintain(1)).isInstanceOf(IllegalStateException.class);
        p.close(); // idempotent
        // a new process applies over the kill switch: the BLOCK policies are MPSec's, so it takes them back
        SecurePaths q = host(k, local, remote, gens("a"));
        q.apply();
        assertThat(q.activeGeneration()).isEqualTo(2);
        assertThat(countBlock(k)).isZero();
        assertThat(k.policies.values()).allMatch(SecurityPolicy::failClosed);
        // teardown removes protection, from any object, even over a kill switch left by another
        q.close();
        host(k, local, remote, gens("a")).teardown();
        assertThat(k.policies).isEmpty();
        assertThat(k.sas).isEmpty();
    }

    @Test
    void withoutFailClosedCloseRemovesEverything() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        SecurePaths p = SecurePaths.builder().xfrm(new XfrmClient(new NetlinkConnection(new FakeKernel(k))))
                .local(ips("198.18.1.1")).remote(ips("198.18.1.2")).masterKey(MASTER).generations(gens("a"))
                .failClosed(false).learnPeerGeneration(false).joinGate(false).build();
        p.apply();
        assertThat(k.policies.values()).noneMatch(SecurityPolicy::failClosed);
        p.close();
        assertThat(k.policies).isEmpty();
        assertThat(k.sas).isEmpty();
    }

    @Test
    void aForeignPolicyOnAnMpsecSelectorIsRefusedUnlessTakenOverAndTeardownRestoresIt() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        InetAddress l = InetAddress.getByName("198.18.1.1");
        InetAddress r = InetAddress.getByName("198.18.1.2");
        SecurityPolicy admin = SecurityPolicy.builder().selector(io.mpsec.ipsec.Selector.hosts(l, r)).direction(Direction.OUT)
                .priority(5).build(); // an administrator's "allow in clear"
        k.policies.put(FakeXfrmDatabase.polKey(admin), admin);
        SecurePaths p = host(k, List.of(l), List.of(r), gens("a"));
        assertThatThrownBy(p::apply).isInstanceOf(SaConflictException.class).hasMessageContaining("did not install")
                .hasMessageContaining("takeOver");
        p.close();
        assertThat(k.policies.values()).containsExactly(admin);
        assertThat(k.sas).isEmpty();
        SecurePaths t = SecurePaths.builder().xfrm(new XfrmClient(new NetlinkConnection(new FakeKernel(k))))
                .local(List.of(l)).remote(List.of(r)).masterKey(MASTER).generations(gens("a")).takeOver(true)
                .killSwitchOnExit(false).learnPeerGeneration(false).joinGate(false).build();
        t.apply();
        assertThat(k.policies.get(FakeXfrmDatabase.polKey(admin)).failClosed()).isTrue();
        t.teardown();
        assertThat(k.policies.values()).containsExactly(admin);
        assertThat(k.sas).isEmpty();
    }

    @Test
    void aFailedFirstApplyEndsBlockedNotInClearAndTheNextApplyRecovers() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        k.failPolicyAfter = 5; // the 6th policy of the batch fails
        SecurePaths p = host(k, ips("198.18.1.1", "198.18.2.1"), ips("198.18.1.2", "198.18.2.2"), gens("m"));
        assertThatThrownBy(p::apply).isInstanceOf(java.io.IOException.class);
        assertThat(k.sas).isEmpty();
        assertThat(k.policies).hasSize(8);
        assertThat(countBlock(k)).as("cleartext before, BLOCK after a failed first apply").isEqualTo(8);
        assertThat(p.installedSas()).isEmpty();
        assertThat(p.activeGeneration()).isZero();
        p.apply();
        assertThat(p.activeGeneration()).isEqualTo(1);
        assertThat(countBlock(k)).isZero();
    }

    @Test
    void aFailedReapplyRestoresExactlyThePreviousPolicies() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        List<InetAddress> local = ips("198.18.1.1");
        List<InetAddress> remote = ips("198.18.1.2");
        KeyGenerations firstLedger = gens("a");
        SecurePaths first = host(k, local, remote, firstLedger);
        first.apply(); // generation 1, then the process dies without closing
        firstLedger.close(); // (its lock dies with it)
        java.util.Map<String, SecurityPolicy> before = new java.util.LinkedHashMap<>(k.policies);
        int sasBefore = k.sas.size();
        k.failAdds = 1; // the next NEWSA fails
        SecurePaths second = host(k, local, remote, gens("a"));
        assertThatThrownBy(second::apply).isInstanceOf(java.io.IOException.class);
        assertThat(k.policies).isEqualTo(before);
        assertThat(k.sas).hasSize(sasBefore);
    }

    @Test
    void aRestartAdoptsInboundSasOfTheCrashedRunAndRemovesItsStaleOutboundOnes() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        List<InetAddress> local = ips("198.18.1.1");
        List<InetAddress> remote = ips("198.18.1.2");
        KeyGenerations crashedLedger = gens("a");
        SecurePaths crashed = host(k, local, remote, crashedLedger);
        crashed.apply(); // generation 1: inbound 1..3, outbound 1
        crashedLedger.close(); // the process died: its lock went with it
        SecurityAssociation out1 = sas(crashed, 1, true).iterator().next();
        SecurePaths restarted = host(k, local, remote, gens("a"));
        restarted.apply(); // generation 2: inbound 1..4 (1..3 identical, adopted), outbound 2
        assertThat(restarted.activeGeneration()).isEqualTo(2);
        assertThat(k.sas).doesNotContainKey(FakeXfrmDatabase.saKey(out1.destination(), out1.spi()));
        assertThat(restarted.installedSas()).containsOnlyKeys(1L, 2L, 3L, 4L);
        restarted.teardown();
        assertThat(k.sas).isEmpty();
    }

    @Test
    void anInboundSaThatExistsWithADifferentKeyIsAnErrorNeverSilentlyKept() throws Exception {
        // what MPSec derives for the inbound SA of generation 1 (computed on a scratch kernel)
        FakeXfrmDatabase scratch = new FakeXfrmDatabase();
        SecurePaths probe = host(scratch, ips("198.18.1.1"), ips("198.18.1.2"), gens("scratch"));
        probe.apply(1);
        SecurityAssociation in1 = sas(probe, 1, false).iterator().next();
        // the same SA id in the kernel, but with another key
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        SecurityAssociation other = in1.toBuilder().algorithm(io.mpsec.ipsec.SaAlgorithm.aesGcm(SecretBytes.copyOf(new byte[36])))
                .build();
        k.sas.put(FakeXfrmDatabase.saKey(other.destination(), other.spi()), other);
        SecurePaths p = host(k, ips("198.18.1.1"), ips("198.18.1.2"), gens("a"));
        assertThatThrownBy(() -> p.apply(1)).isInstanceOf(SaConflictException.class).hasMessageContaining("other parameters")
                .hasMessageContaining(String.format("spi 0x%08x", other.spi()));
        assertThat(k.sas).containsOnlyKeys(FakeXfrmDatabase.saKey(other.destination(), other.spi()));
        assertThat(k.sas.values().iterator().next()).isSameAs(other);
        assertThat(countBlock(k)).as("a failed first apply ends blocked").isEqualTo(2);
        // the identical SA (a crashed run's) is adopted instead
        FakeXfrmDatabase k2 = new FakeXfrmDatabase();
        k2.sas.put(FakeXfrmDatabase.saKey(in1.destination(), in1.spi()), in1);
        SecurePaths q = host(k2, ips("198.18.1.1"), ips("198.18.1.2"), gens("b"));
        q.apply(1);
        assertThat(q.installedSas().get(1L)).hasSize(2);
    }

    @Test
    void maintainRekeysWhenTheKernelRemovedAnActiveOutboundSaAtItsHardLimit() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        SecurePaths p = host(k, ips("198.18.1.1"), ips("198.18.1.2"), gens("a"));
        p.apply();
        SecurityAssociation out1 = sas(p, 1, true).iterator().next();
        k.sas.remove(FakeXfrmDatabase.saKey(out1.destination(), out1.spi())); // hard expire
        assertThat(p.maintain(1000)).isEqualTo(2);
    }

    @Test
    void maintainRekeysWhenAnActiveOutboundSaReachedItsSoftByteOrTimeLimit() throws Exception {
        for (String limit : new String[] {"bytes", "age"}) {
            FakeXfrmDatabase k = new FakeXfrmDatabase();
            SecurePaths p = SecurePaths.builder().xfrm(new XfrmClient(new NetlinkConnection(new FakeKernel(k))))
                    .local(ips("198.18.1.1")).remote(ips("198.18.1.2")).masterKey(MASTER).generations(gens(limit))
                    .lifetime(new io.mpsec.ipsec.Lifetime(1_000_000, 2_000_000, 0, 0, 600, 900))
                    .killSwitchOnExit(false).learnPeerGeneration(false).joinGate(false).build();
            p.apply();
            SecurityAssociation out1 = sas(p, 1, true).iterator().next();
            String key = FakeXfrmDatabase.saKey(out1.destination(), out1.spi());
            k.bytes.put(key, 999_999L);
            k.addTimes.put(key, System.currentTimeMillis() / 1000 - 599);
            assertThat(p.maintain(1000)).as("below both soft limits").isEqualTo(1);
            if (limit.equals("bytes")) {
                k.bytes.put(key, 1_000_000L); // a lost soft EXPIRE must not leave it to the hard limit
            } else {
                k.addTimes.put(key, System.currentTimeMillis() / 1000 - 601);
            }
            assertThat(p.maintain(1000)).as("soft %s limit reached", limit).isEqualTo(2);
            p.close();
        }
    }

    @Test
    void retireKeepsTrackOfSasItCouldNotDeleteAndTreatsMissingOnesAsGone() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        SecurePaths p = host(k, ips("198.18.1.1"), ips("198.18.1.2"), gens("a"));
        p.apply(1);
        p.activate(2);
        k.failDelete = 1; // EPERM
        assertThatThrownBy(() -> p.retire(1)).isInstanceOf(java.io.IOException.class);
        assertThat(p.installedSas().get(1L)).hasSize(2);
        k.failDelete = 0;
        k.sas.clear(); // the kernel removed them already (hard expire)
        p.retire(1);
        assertThat(p.installedSas()).doesNotContainKey(1L);
    }

    @Test
    void generationsAreRequired() {
        assertThatThrownBy(() -> SecurePaths.builder().xfrm(new XfrmClient(new NetlinkConnection(new FakeKernel(new FakeXfrmDatabase()))))
                .local(ips("198.18.1.1")).remote(ips("198.18.1.2")).masterKey(MASTER).build())
                .isInstanceOf(io.mpsec.ipsec.IpsecConfigException.class).hasMessageContaining("generation ledger");
    }
}
