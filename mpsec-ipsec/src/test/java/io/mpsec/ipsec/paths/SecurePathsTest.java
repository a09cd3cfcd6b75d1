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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two hosts' SecurePaths against fake SAD/SPDs: matching SAs, policy layout, rekey, reuse refusal. */
class SecurePathsTest {
    static final SecretBytes MASTER = SecretBytes.copyOf(new byte[32]);
    @TempDir
    Path dir;
    final List<KeyGenerations> opened = new java.util.ArrayList<>();

    /** Opens a key ledger for the rest of the test (closed afterwards). */
    KeyGenerations gens(Path key) throws java.io.IOException {
        KeyGenerations g = KeyGenerations.open(key);
        opened.add(g);
        return g;
    }

    @AfterEach
    void closeLedgers() {
        opened.forEach(KeyGenerations::close);
    }

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
                .masterKey(MASTER).generations(g).clock(clock).build();
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
        SecurePaths pa = host(ka, a, b, gens(dir.resolve("a.key")));
        SecurePaths pb = host(kb, b, a, gens(dir.resolve("b.key")));
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

    @Test
    void rekeySwitchesOutboundOnlyAndRetiresTheOldGenerationOnceItsInboundIsIdle() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        AtomicLong now = new AtomicLong(1_000_000);
        SecurePaths p = host(k, ips("198.18.1.1"), ips("198.18.1.2"), gens(dir.resolve("m.key")), now::get);
        p.apply(1);
        SecurityAssociation in1 = sas(p, 1, false).iterator().next();
        SecurityAssociation out1 = sas(p, 1, true).iterator().next(); // only addresses and SPI used below
        k.log.clear();
        p.activate(2);
        // outbound SA of 2, then the OUT policy switch, then the inbound SA of 4 ahead; nothing removed yet
        assertThat(k.log).hasSize(3);
        assertThat(k.log.get(0)).startsWith("SA+ 198.18.1.2/");
        assertThat(k.log.get(1)).startsWith("POL OUT").endsWith("reqid " + SecurePaths.reqid(2));
        assertThat(k.log.get(2)).startsWith("SA+ 198.18.1.1/");
        assertThat(p.activeGeneration()).isEqualTo(2);
        assertThat(p.installedSas()).containsOnlyKeys(1L, 2L, 3L, 4L);
        // the peer still sends on generation 1: it stays
        assertThat(p.maintain(1000)).isEqualTo(2);
        k.bytes.put(FakeXfrmDatabase.saKey(in1.destination(), in1.spi()), 5000L);
        now.addAndGet(1500);
        p.maintain(1000);
        now.addAndGet(999);
        p.maintain(1000);
        assertThat(p.installedSas()).containsKey(1L);
        // idle for the whole grace period: retired, both directions
        now.addAndGet(1);
        k.log.clear();
        p.maintain(1000);
        assertThat(p.installedSas()).containsOnlyKeys(2L, 3L, 4L);
        assertThat(k.log).containsExactlyInAnyOrder("SA- " + FakeXfrmDatabase.saKey(in1.destination(), in1.spi()),
                "SA- " + FakeXfrmDatabase.saKey(out1.destination(), out1.spi()));
        p.close();
        assertThat(k.sas).isEmpty();
        assertThat(k.policies).isEmpty();
    }

    @Test
    void hostsRekeyingAtDifferentTimesKeepMatchingSasAndTheLaterOneFollows() throws Exception {
        FakeXfrmDatabase ka = new FakeXfrmDatabase();
        FakeXfrmDatabase kb = new FakeXfrmDatabase();
        AtomicLong now = new AtomicLong();
        SecurePaths a = host(ka, ips("198.18.1.1"), ips("198.18.1.2"), gens(dir.resolve("a.key")), now::get);
        KeyGenerations gb = gens(dir.resolve("b.key"));
        SecurePaths b = host(kb, ips("198.18.1.2"), ips("198.18.1.1"), gb, now::get);
        a.apply();
        b.apply();
        assertThat(a.rekeyOutbound()).isEqualTo(2);
        // b accepts a's generation 2 already (installed ahead) and still sends on 1, which a still accepts
        assertThat(sas(b, 2, false).equals(sas(a, 2, true))).isTrue();
        assertThat(sas(a, 1, false).equals(sas(b, 1, true))).isTrue();
        // b sees traffic on inbound 2 and follows
        SecurityAssociation bIn2 = sas(b, 2, false).iterator().next();
        kb.bytes.put(FakeXfrmDatabase.saKey(bIn2.destination(), bIn2.spi()), 100L);
        assertThat(b.maintain(1000)).isEqualTo(2);
        assertThat(sas(b, 2, true).equals(sas(a, 2, false))).isTrue();
        assertThat(kb.policies.values().stream().filter(p -> p.direction() == Direction.OUT)
                .map(p -> p.templates().get(0).reqid())).containsOnly(SecurePaths.reqid(2));
        assertThat(gb.current()).isEqualTo(2);
    }

    @Test
    void aRestartMovesToANewGenerationByItselfAndHostsThatRestartedDifferentlyMeet() throws Exception {
        Path keyA = dir.resolve("a.key");
        Path keyB = dir.resolve("b.key");
        for (Path k : List.of(keyA, keyA, keyB)) { // a restarts twice, b once
            try (KeyGenerations g = KeyGenerations.open(k)) {
                host(new FakeXfrmDatabase(), k == keyA ? ips("198.18.1.1") : ips("198.18.1.2"),
                        k == keyA ? ips("198.18.1.2") : ips("198.18.1.1"), g).apply();
            }
        }
        // a restarted twice, b once: a is at 3, b at 2
        FakeXfrmDatabase ka = new FakeXfrmDatabase();
        FakeXfrmDatabase kb = new FakeXfrmDatabase();
        KeyGenerations ga = gens(keyA);
        SecurePaths a = host(ka, ips("198.18.1.1"), ips("198.18.1.2"), ga);
        SecurePaths b = host(kb, ips("198.18.1.2"), ips("198.18.1.1"), gens(keyB));
        a.apply();
        b.apply();
        assertThat(a.activeGeneration()).isEqualTo(3);
        assertThat(b.activeGeneration()).isEqualTo(2);
        assertThat(sas(a, 2, false).equals(sas(b, 2, true))).as("a accepts what b sends").isTrue();
        assertThat(sas(b, 3, false).equals(sas(a, 3, true))).as("b accepts what a sends").isTrue();
        SecurityAssociation bIn3 = sas(b, 3, false).iterator().next();
        kb.bytes.put(FakeXfrmDatabase.saKey(bIn3.destination(), bIn3.spi()), 1L);
        assertThat(b.maintain(1000)).isEqualTo(3);
        // an explicit re-apply of an installed generation is still refused, saying how to move on
        ga.close(); // a restarts once more
        SecurePaths again = host(new FakeXfrmDatabase(), ips("198.18.1.1"), ips("198.18.1.2"), gens(keyA));
        assertThatThrownBy(() -> again.apply(3)).isInstanceOf(KeyReuseException.class).hasMessageContaining("generation 3")
                .hasMessageContaining("Move both hosts to generation 4");
    }

    @Test
    void anOutboundSaAlreadyInTheKernelIsReuseAndNothingIsHalfApplied() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        SecurePaths first = host(k, ips("198.18.1.1"), ips("198.18.1.2"), null);
        first.apply(1);
        SecurityAssociation out1 = sas(first, 1, true).iterator().next();
        FakeXfrmDatabase k2 = new FakeXfrmDatabase();
        k2.sas.put(FakeXfrmDatabase.saKey(out1.destination(), out1.spi()), out1);
        SecurePaths p = host(k2, ips("198.18.1.1"), ips("198.18.1.2"), null);
        assertThatThrownBy(() -> p.apply(1)).isInstanceOf(KeyReuseException.class).hasMessageContaining("already exists")
                .hasMessageContaining("new generation");
        assertThat(k2.sas).hasSize(1); // the pre-existing one only
        assertThat(k2.policies).isEmpty();
        assertThat(p.installedSas()).isEmpty();
    }

    @Test
    void aFailedPolicyInstallRollsBackPoliciesAndSas() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        k.failInPolicy = 1; // EPERM
        SecurePaths p = host(k, ips("198.18.1.1", "198.18.2.1"), ips("198.18.1.2", "198.18.2.2"),
                gens(dir.resolve("m.key")));
        assertThatThrownBy(p::apply).isInstanceOf(java.io.IOException.class);
        assertThat(k.sas).isEmpty();
        assertThat(k.policies).isEmpty();
        assertThat(p.installedSas()).isEmpty();
        assertThat(p.activeGeneration()).isZero();
        // the claimed generation is skipped by the next apply, no manual step
        k.failInPolicy = 0;
        p.apply();
        assertThat(p.activeGeneration()).isEqualTo(2);
    }

    @Test
    void retireKeepsTrackOfSasItCouldNotDeleteAndTreatsMissingOnesAsGone() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        SecurePaths p = host(k, ips("198.18.1.1"), ips("198.18.1.2"), null);
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
}
