package io.mpsec.ipsec.keys;

import static org.assertj.core.api.Assertions.assertThat;

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

    @Test
    void bothHostsDeriveTheSameSasWhateverTheOrderOfFlows() throws Exception {
        List<SaKeyDerivation.Flow> hostA = flows();
        List<SaKeyDerivation.Flow> hostB = flows();
        Collections.reverse(hostB);
        Map<SaKeyDerivation.Flow, DerivedSa> a = new SaKeyDerivation(MASTER, 256).deriveAll(3, hostA, Set.of());
        Map<SaKeyDerivation.Flow, DerivedSa> b = new SaKeyDerivation(SecretBytes.copyOf(MASTER.copy()), 256)
                .deriveAll(3, hostB, Set.of());
        assertThat(a).isEqualTo(b);
        assertThat(a).hasSize(8);
    }

    @Test
    void spisAreDistinctNonZeroAndOutsideTheReservedRange() throws Exception {
        SaKeyDerivation d = new SaKeyDerivation(MASTER, 128);
        Set<Long> all = new HashSet<>();
        for (long gen = 1; gen <= 50; gen++) {
            Map<SaKeyDerivation.Flow, DerivedSa> m = d.deriveAll(gen, flows(), Set.of());
            Set<Long> spis = new HashSet<>();
            for (DerivedSa s : m.values()) {
                assertThat(s.spi()).isBetween(0x100L, 0xffffffffL);
                assertThat(s.key().length()).isEqualTo(20);
                spis.add(s.spi());
            }
            assertThat(spis).hasSize(m.size());
            all.addAll(spis);
        }
        assertThat(all.size()).isGreaterThan(390); // 400 derivations, collisions across generations are rare
    }

    @Test
    void reservedSpisAreAvoidedDeterministically() throws Exception {
        SaKeyDerivation d = new SaKeyDerivation(MASTER, 256);
        Map<SaKeyDerivation.Flow, DerivedSa> first = d.deriveAll(7, flows(), Set.of());
        Set<Long> taken = new HashSet<>();
        first.values().forEach(s -> taken.add(s.spi()));
        // Reserving generation 7's own SPIs forces every flow to a different, still deterministic SPI.
        Map<SaKeyDerivation.Flow, DerivedSa> again = d.deriveAll(7, flows(), taken);
        for (DerivedSa s : again.values()) {
            assertThat(taken).doesNotContain(s.spi());
        }
        assertThat(d.deriveAll(7, flows(), taken)).isEqualTo(again);
    }

    @Test
    void generationsAndDirectionsGetDifferentKeys() throws Exception {
        SaKeyDerivation d = new SaKeyDerivation(MASTER, 256);
        InetAddress a = InetAddress.getByName("198.18.1.1");
        InetAddress b = InetAddress.getByName("198.18.1.2");
        assertThat(d.derive(1, a, b, 0).key()).isNotEqualTo(d.derive(2, a, b, 0).key());
        assertThat(d.derive(1, a, b, 0).key()).isNotEqualTo(d.derive(1, b, a, 0).key());
        assertThat(d.derive(1, a, b, 0).key().length()).isEqualTo(36);
        assertThat(d.fingerprint()).hasSize(16).isEqualTo(new SaKeyDerivation(MASTER, 128).fingerprint());
    }
}
