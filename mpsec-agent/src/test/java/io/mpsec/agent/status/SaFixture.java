package io.mpsec.agent.status;

import io.micrometer.core.instrument.MeterRegistry;
import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.keys.DerivedSa;
import io.mpsec.ipsec.keys.SaKeyDerivation;
import io.mpsec.ipsec.paths.PathSa;
import io.mpsec.ipsec.paths.RekeyHealth;
import io.mpsec.ipsec.xfrm.SaUsage;
import io.mpsec.metrics.RekeyMetrics;
import io.mpsec.metrics.SaMetrics;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SAs with real keys derived from a master key, as SecurePaths would report them, with GETAE answered
 * by a fake (the build host has no ESP), bound to a registry with a rekey health: the status and the
 * metrics then show SAs whose keys the test knows.
 */
public final class SaFixture {
    private SaFixture() {
    }

    /**
     * Derives generations {@code gens} for a and b both ways, binds SaMetrics and RekeyMetrics({@code state},
     * the last generation active); returns the derived SAs (out, in for each generation).
     */
    public static List<DerivedSa> bind(MeterRegistry registry, String netns, SaKeyDerivation kd, List<Long> gens,
            InetAddress a, InetAddress b, RekeyHealth.State state, long hardSecondsLeft) {
        List<DerivedSa> derived = new ArrayList<>();
        Map<Long, List<PathSa>> byGen = new java.util.HashMap<>();
        for (long g : gens) {
            DerivedSa out = kd.derive(g, a, b, 0);
            DerivedSa in = kd.derive(g, b, a, 0);
            List<PathSa> sas = new ArrayList<>();
            for (DerivedSa d : List.of(out, in)) {
                SecurityAssociation sa = SecurityAssociation.builder().source(d.source()).destination(d.destination())
                        .spi(d.spi()).reqid(5).lifetime(Lifetime.seconds(3000, 3600))
                        .algorithm(SaAlgorithm.aesGcm(d.key())).build();
                sas.add(new PathSa(g, sa, d == out));
                derived.add(d);
            }
            byGen.put(g, sas);
        }
        long gen = gens.get(gens.size() - 1);
        long now = System.currentTimeMillis() / 1000;
        long installed = now - (3600 - hardSecondsLeft);
        new SaMetrics(netns, () -> byGen, id -> Optional.of(new SaUsage(4242, 7, installed, installed + 1)))
                .bindTo(registry);
        RekeyHealth health = new RekeyHealth(state, gen, List.of(b), Map.of(), null, 0, null, 0, null,
                state == RekeyHealth.State.RUNNING ? 0 : 3, 0, null, null, 0, 0, 0, 0, 0);
        new RekeyMetrics(netns, () -> health).bindTo(registry);
        return derived;
    }
}
