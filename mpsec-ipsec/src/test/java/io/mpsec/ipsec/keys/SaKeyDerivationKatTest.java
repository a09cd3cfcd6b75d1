package io.mpsec.ipsec.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.ipsec.SecretBytes;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Java derivation against the known-answer vectors of {@code keys/kat-v2.txt}, which
 * {@code keys/kat_v2.py} computes independently (python3 hmac/hashlib). A failure here means two MPSec
 * versions would no longer derive the same SAs: never change the vectors of a released version.
 */
class SaKeyDerivationKatTest {
    static final HexFormat HEX = HexFormat.of();

    record Member(SaKeyDerivation.Flow flow, long spi, int attempt) {
    }

    static List<String[]> vectors() throws Exception {
        try (InputStream in = SaKeyDerivationKatTest.class.getResourceAsStream("/keys/kat-v2.txt")) {
            assertThat(in).as("kat-v2.txt on the test class path").isNotNull();
            List<String[]> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.trim().split(" "));
                }
            }
            return out;
        }
    }

    static SaKeyDerivation derivation(String masterHex, String alg, String bits) {
        assertThat(alg).isEqualTo(SaKeyDerivation.ALGORITHM);
        return new SaKeyDerivation(SecretBytes.wrap(HEX.parseHex(masterHex)), Integer.parseInt(bits));
    }

    @Test
    void singleFlowsFingerprintsAndSetsMatchTheIndependentVectors() throws Exception {
        int flows = 0;
        int fingerprints = 0;
        int members = 0;
        int collisions = 0;
        Map<String, String[]> sets = new LinkedHashMap<>();
        Map<String, List<Member>> setMembers = new LinkedHashMap<>();
        for (String[] v : vectors()) {
            switch (v[0]) {
                case "fingerprint":
                    assertThat(new SaKeyDerivation(SecretBytes.wrap(HEX.parseHex(v[1])), 256).fingerprint()).isEqualTo(v[2]);
                    fingerprints++;
                    break;
                case "flow": {
                    SaKeyDerivation d = derivation(v[1], v[3], v[4]);
                    long gen = Long.parseLong(v[2]);
                    SaKeyDerivation.Flow f = new SaKeyDerivation.Flow(InetAddress.getByName(v[5]), InetAddress.getByName(v[6]));
                    DerivedSa sa = d.derive(gen, f.source(), f.destination(), 0);
                    String what = String.join(" ", v);
                    assertThat(String.format("%08x", sa.spi())).as(what).isEqualTo(v[7]);
                    assertThat(HEX.formatHex(sa.key().copy())).as("key of " + v[5] + " -> " + v[6] + " gen " + gen).isEqualTo(v[8]);
                    // alone in deriveAll, a flow takes its attempt-0 SPI
                    assertThat(d.deriveAll(gen, List.of(f)).get(f)).isEqualTo(sa);
                    assertThat(SaKeyDerivation.generationOfSpi(sa.spi())).isEqualTo(gen);
                    flows++;
                    break;
                }
                case "set":
                    sets.put(v[1], v);
                    setMembers.put(v[1], new ArrayList<>());
                    break;
                case "member":
                    setMembers.get(v[1]).add(new Member(new SaKeyDerivation.Flow(InetAddress.getByName(v[2]),
                            InetAddress.getByName(v[3])), Long.parseLong(v[4], 16), Integer.parseInt(v[5])));
                    break;
                default:
                    throw new AssertionError("unknown vector line: " + String.join(" ", v));
            }
        }
        for (Map.Entry<String, String[]> e : sets.entrySet()) {
            String[] s = e.getValue();
            SaKeyDerivation d = derivation(s[2], s[4], s[5]);
            long gen = Long.parseLong(s[3]);
            List<SaKeyDerivation.Flow> fl = new ArrayList<>();
            setMembers.get(e.getKey()).forEach(m -> fl.add(m.flow()));
            java.util.Collections.reverse(fl); // the order given does not matter
            Map<SaKeyDerivation.Flow, DerivedSa> got = d.deriveAll(gen, fl);
            for (Member m : setMembers.get(e.getKey())) {
                assertThat(got.get(m.flow()).spi()).as("set " + e.getKey() + " " + m).isEqualTo(m.spi());
                // the key never depends on the SPI attempt
                assertThat(got.get(m.flow()).key()).isEqualTo(d.derive(gen, m.flow().source(), m.flow().destination(), 0).key());
                if (m.attempt() > 0) {
                    collisions++;
                    assertThat(d.derive(gen, m.flow().source(), m.flow().destination(), m.attempt()).spi()).isEqualTo(m.spi());
                }
                members++;
            }
        }
        assertThat(fingerprints).isEqualTo(2);
        assertThat(flows).isGreaterThanOrEqualTo(40);
        assertThat(sets).hasSize(3);
        assertThat(members).isEqualTo(132 + 132 + 8);
        assertThat(collisions).as("the vectors exercise collision resolution").isPositive();
    }
}
