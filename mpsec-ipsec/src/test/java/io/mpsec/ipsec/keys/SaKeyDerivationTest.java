package io.mpsec.ipsec.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.ipsec.SecretBytes;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SaKeyDerivationTest {
    static final SecretBytes MASTER = SecretBytes.copyOf(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
        17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});

    static List<SaKeyDerivation.Flow> flows() throws Exception {
        List<SaKeyDerivation.Flow> out = new ArrayList<>();
        for (String a : new String[] {"198.18.1.1", "198.18.2.1"}) {
            for (String b : new String[] {"198.18.1.2", "198.18.2.2"}) {
                out.add(new SaKeyDerivation.Flow(InetAddress.getByName(a), InetAddress.getByName(b)));
                out.add(new SaKeyDerivation.Flow(InetAddress.getByName(b), InetAddress.getByName(a)));
            }
        }
        return out;
    }

    /** All ordered pairs among {@code n} addresses 198.18.x.y: n(n-1) flows. */
    static List<SaKeyDerivation.Flow> mesh(int n) throws Exception {
        List<InetAddress> hosts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            hosts.add(InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) (i / 250), (byte) (1 + i % 250)}));
        }
        List<SaKeyDerivation.Flow> out = new ArrayList<>();
        for (InetAddress a : hosts) {
            for (InetAddress b : hosts) {
                if (!a.equals(b)) {
                    out.add(new SaKeyDerivation.Flow(a, b));
                }
            }
        }
        return out;
    }

    @Test
    void bothHostsDeriveTheSameSasWhateverTheOrderOfFlows() throws Exception {
        List<SaKeyDerivation.Flow> hostA = flows();
        List<SaKeyDerivation.Flow> hostB = flows();
        Collections.reverse(hostB);
        Map<SaKeyDerivation.Flow, DerivedSa> a = new SaKeyDerivation(MASTER, 256).deriveAll(3, hostA);
        Map<SaKeyDerivation.Flow, DerivedSa> b = new SaKeyDerivation(SecretBytes.copyOf(MASTER.copy()), 256).deriveAll(3, hostB);
        assertThat(a).isEqualTo(b);
        assertThat(a).hasSize(8);
    }

    @Test
    void theSpiCarriesTheGenerationAndSpisNeverCollideAcrossGenerations() throws Exception {
        SaKeyDerivation d = new SaKeyDerivation(MASTER, 128);
        Set<Long> all = new HashSet<>();
        for (long gen : new long[] {1, 2, 3, 50, 1000, 0xFFFFE, SaKeyDerivation.MAX_GENERATION}) {
            Map<SaKeyDerivation.Flow, DerivedSa> m = d.deriveAll(gen, flows());
            for (DerivedSa s : m.values()) {
                assertThat(s.spi()).isBetween(0x1000L, 0xffffffffL);
                assertThat(SaKeyDerivation.generationOfSpi(s.spi())).isEqualTo(gen);
                assertThat(s.generation()).isEqualTo(gen);
                assertThat(s.key().length()).isEqualTo(20);
                assertThat(all.add(s.spi())).as("SPI 0x%08x unique", s.spi()).isTrue();
            }
        }
        assertThat(all).hasSize(7 * 8);
        assertThat(SaKeyDerivation.generationOfSpi(0xFFFFFFFFL)).isEqualTo(0xFFFFF);
        assertThat(SaKeyDerivation.generationOfSpi(0x00001fffL)).isEqualTo(1);
    }

    @Test
    void everyFlowOfAGenerationGetsADistinctSpiUpToTheFullFlowSpace() throws Exception {
        SaKeyDerivation d = new SaKeyDerivation(MASTER, 256);
        // 64 hosts, 4032 flows: many collisions are resolved, deterministically
        List<SaKeyDerivation.Flow> big = mesh(64);
        assertThat(big).hasSize(4032);
        long t0 = System.nanoTime();
        Map<SaKeyDerivation.Flow, DerivedSa> m = d.deriveAll(9, big);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Set<Long> spis = new HashSet<>();
        m.values().forEach(s -> spis.add(s.spi()));
        assertThat(spis).hasSize(4032);
        List<SaKeyDerivation.Flow> shuffled = new ArrayList<>(big);
        Collections.shuffle(shuffled, new java.util.Random(1));
        Map<SaKeyDerivation.Flow, DerivedSa> again = d.deriveAll(9, shuffled);
        for (SaKeyDerivation.Flow f : big) {
            assertThat(again.get(f).spi()).isEqualTo(m.get(f).spi());
        }
        System.out.println("deriveAll of 4032 flows: " + ms + " ms");
        // exactly 4096 flows fill every index
        List<SaKeyDerivation.Flow> full = new ArrayList<>(mesh(65).subList(0, SaKeyDerivation.MAX_FLOWS));
        Set<Long> fullSpis = new HashSet<>();
        d.deriveAll(9, full).values().forEach(s -> fullSpis.add(s.spi() & 0xfff));
        assertThat(fullSpis).hasSize(4096);
    }

    @Test
    void badGenerationsAndTooManyFlowsAreClearErrors() throws Exception {
        SaKeyDerivation d = new SaKeyDerivation(MASTER, 256);
        assertThatThrownBy(() -> d.deriveAll(0, flows())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key generation 0 is outside 1..1048575");
        assertThatThrownBy(() -> d.deriveAll(SaKeyDerivation.MAX_GENERATION + 1L, flows()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rotate the master key");
        assertThatThrownBy(() -> d.derive(-1, flows().get(0).source(), flows().get(0).destination(), 0))
                .isInstanceOf(IllegalArgumentException.class);
        List<SaKeyDerivation.Flow> tooMany = mesh(65).subList(0, SaKeyDerivation.MAX_FLOWS + 1);
        assertThatThrownBy(() -> d.deriveAll(1, tooMany)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4097 flows in one key generation, at most 4096");
    }

    @Test
    void theVersion1SignatureIgnoresOtherGenerationsAndRefusesItsOwnSpis() throws Exception {
        SaKeyDerivation d = new SaKeyDerivation(MASTER, 256);
        Set<Long> previous = new HashSet<>();
        d.deriveAll(6, flows()).values().forEach(s -> previous.add(s.spi()));
        @SuppressWarnings("deprecation")
        Map<SaKeyDerivation.Flow, DerivedSa> m = d.deriveAll(7, flows(), previous);
        assertThat(m).isEqualTo(d.deriveAll(7, flows()));
        Set<Long> own = Set.of(m.values().iterator().next().spi());
        List<SaKeyDerivation.Flow> fl = flows();
        @SuppressWarnings("deprecation")
        Runnable call = () -> d.deriveAll(7, fl, own);
        assertThatThrownBy(call::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
    }

    @Test
    void keysDifferByGenerationDirectionAddressesAndKeyLength() throws Exception {
        SaKeyDerivation d = new SaKeyDerivation(MASTER, 256);
        SaKeyDerivation d128 = new SaKeyDerivation(MASTER, 128);
        InetAddress a = InetAddress.getByName("198.18.1.1");
        InetAddress b = InetAddress.getByName("198.18.1.2");
        InetAddress c = InetAddress.getByName("198.18.1.3");
        assertThat(d.derive(1, a, b, 0).key()).isNotEqualTo(d.derive(2, a, b, 0).key());
        assertThat(d.derive(1, a, b, 0).key()).isNotEqualTo(d.derive(1, b, a, 0).key());
        assertThat(d.derive(1, a, b, 0).key()).isNotEqualTo(d.derive(1, a, c, 0).key());
        // the SPI attempt changes the SPI only, never the key
        assertThat(d.derive(1, a, b, 0).key()).isEqualTo(d.derive(1, a, b, 5).key());
        // a 128-bit key is not a prefix of the 256-bit one (the key length is bound in the info)
        byte[] k128 = d128.derive(1, a, b, 0).key().copy();
        byte[] k256 = d.derive(1, a, b, 0).key().copy();
        assertThat(java.util.Arrays.copyOf(k256, 16)).isNotEqualTo(java.util.Arrays.copyOf(k128, 16));
        assertThat(k256).hasSize(36);
        assertThat(k128).hasSize(20);
        assertThat(d.fingerprint()).hasSize(16).isEqualTo(d128.fingerprint());
    }
}
