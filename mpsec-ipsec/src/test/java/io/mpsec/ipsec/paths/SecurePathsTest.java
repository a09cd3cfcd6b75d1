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
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two hosts' SecurePaths against fake SAD/SPDs: matching SAs, policy layout, rekey, reuse refusal. */
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
        return SecurePaths.builder().xfrm(new XfrmClient(new NetlinkConnection(new FakeKernel(db)))).local(local).remote(remote)
                .masterKey(MASTER).generations(g).build();
    }

    @Test
    void bothHostsInstallMatchingSasForEveryAddressPair() throws Exception {
        FakeXfrmDatabase ka = new FakeXfrmDatabase();
        FakeXfrmDatabase kb = new FakeXfrmDatabase();
        List<InetAddress> a = ips("198.18.1.1", "198.18.2.1");
        List<InetAddress> b = ips("198.18.1.2", "198.18.2.2");
        host(ka, a, b, new KeyGenerations(dir.resolve("a.key"))).apply(1);
        host(kb, b, a, new KeyGenerations(dir.resolve("b.key"))).apply(1);
        // 2x2 pairs, 2 directions each
        assertThat(ka.sas).hasSize(8);
        assertThat(Set.copyOf(ka.sas.values())).isEqualTo(Set.copyOf(kb.sas.values())); // keys and SPIs alike
        assertThat(ka.sas.values().stream().map(SecurityAssociation::spi).collect(Collectors.toSet())).hasSize(8);
        assertThat(ka.sas.values()).allSatisfy(sa -> {
            assertThat(sa.esn()).isTrue();
            assertThat(sa.lifetime().softAddSeconds()).isPositive().isLessThan(sa.lifetime().hardAddSeconds());
            assertThat(sa.lifetime().softBytes()).isLessThan(sa.lifetime().hardBytes());
        });
        // per pair an OUT and an IN policy, all fail-closed
        assertThat(ka.policies).hasSize(8);
        assertThat(ka.policies.values()).allMatch(SecurityPolicy::failClosed);
        assertThat(ka.policies.values().stream().filter(p -> p.direction() == Direction.OUT)
                .map(p -> p.templates().get(0).reqid())).containsOnly(SecurePaths.reqid(1));
        assertThat(ka.policies.values().stream().filter(p -> p.direction() == Direction.IN)
                .map(p -> p.templates().get(0).reqid())).containsOnly(0L);
    }

    @Test
    void rekeyIsMakeBeforeBreak() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        SecurePaths p = host(k, ips("198.18.1.1"), ips("198.18.1.2"), new KeyGenerations(dir.resolve("m.key")));
        p.apply(1);
        Set<String> gen1 = Set.copyOf(k.sas.keySet());
        k.log.clear();
        p.rekey(2, 0);
        // new SAs first, then the OUT policy switch, then the old SAs go
        assertThat(k.log).hasSize(2 + 1 + 2);
        assertThat(k.log.subList(0, 2)).allMatch(s -> s.startsWith("SA+"));
        assertThat(k.log.get(2)).startsWith("POL OUT").endsWith("reqid " + SecurePaths.reqid(2));
        assertThat(k.log.subList(3, 5)).allMatch(s -> s.startsWith("SA-"));
        assertThat(k.sas.keySet()).doesNotContainAnyElementsOf(gen1).hasSize(2);
        assertThat(p.activeGeneration()).isEqualTo(2);
        p.close();
        assertThat(k.sas).isEmpty();
        assertThat(k.policies).isEmpty();
    }

    @Test
    void reapplyingAGenerationIsRefusedWithAWayForward() throws Exception {
        Path key = dir.resolve("m.key");
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        host(k, ips("198.18.1.1"), ips("198.18.1.2"), new KeyGenerations(key)).apply();
        // a restart: a new object, same key file and generation store
        SecurePaths restarted = host(new FakeXfrmDatabase(), ips("198.18.1.1"), ips("198.18.1.2"), new KeyGenerations(key));
        assertThatThrownBy(restarted::apply).isInstanceOf(KeyReuseException.class).hasMessageContaining("generation 1")
                .hasMessageContaining("Move both hosts to generation 2");
        new KeyGenerations(key).advance();
        restarted.apply();
        assertThat(restarted.activeGeneration()).isEqualTo(2);
    }

    @Test
    void anSaAlreadyInTheKernelIsReuseAndNothingIsHalfApplied() throws Exception {
        FakeXfrmDatabase k = new FakeXfrmDatabase();
        host(k, ips("198.18.1.1"), ips("198.18.1.2"), null).apply(1);
        Map<String, SecurityAssociation> before = Map.copyOf(k.sas);
        FakeXfrmDatabase k2 = new FakeXfrmDatabase();
        k2.sas.put(before.keySet().iterator().next(), before.values().iterator().next());
        SecurePaths p = host(k2, ips("198.18.1.1"), ips("198.18.1.2"), null);
        assertThatThrownBy(() -> p.apply(1)).isInstanceOf(KeyReuseException.class).hasMessageContaining("already exists")
                .hasMessageContaining("new generation");
        assertThat(k2.sas).hasSize(1); // the pre-existing one only
        assertThat(k2.policies).isEmpty();
    }
}
