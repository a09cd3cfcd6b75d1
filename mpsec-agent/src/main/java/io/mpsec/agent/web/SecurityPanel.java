package io.mpsec.agent.web;

import io.mpsec.ipsec.paths.PathSa;
import io.mpsec.ipsec.paths.RekeyHealth;
import io.mpsec.ipsec.xfrm.SaUsage;
import io.mpsec.metrics.Sources;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The packet security panel: per interface ESP vs cleartext ({@link PacketSecuritySource}), per peer
 * the SAs of a registered {@code SecurePaths} (generation, GETAE counters, age, time to the hard
 * expiry) and the health of its {@code AutoRekey}. It reads only addresses, SPIs, generations,
 * lifetimes and counters: never a key.
 */
final class SecurityPanel {
    private record Paths(String netns, Sources.SaList sas, Sources.SaUsageSource usage, Supplier<RekeyHealth> health) {
    }

    private final List<Paths> paths = new CopyOnWriteArrayList<>();
    private final Map<String, PacketSecuritySource> packetSources = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, long[]> previous = new HashMap<>();
    private final Map<String, RekeyHealth> lastHealth = new HashMap<>();
    private final LongSupplier epochMillis;

    SecurityPanel(LongSupplier epochMillis) {
        this.epochMillis = epochMillis;
    }

    void register(String netns, Sources.SaList sas, Sources.SaUsageSource usage, Supplier<RekeyHealth> health) {
        paths.add(new Paths(netns, sas, usage, health));
    }

    void packetSource(String netns, PacketSecuritySource s) {
        packetSources.put(netns, s);
    }

    /** The panel now; {@code interfaces} are the namespace's interface names (to list the unknown ones too). */
    synchronized Views.Security view(Map<String, List<String>> interfaces, EventLog log) {
        List<Views.InterfaceSecurityView> ifs = new ArrayList<>();
        interfaces.forEach((netns, names) -> {
            Map<String, PacketSecuritySource.InterfaceCounters> counted = new HashMap<>();
            PacketSecuritySource src = packetSources.get(netns);
            if (src != null) {
                try {
                    src.counters().forEach(c -> counted.put(c.iface(), c));
                } catch (Exception e) {
                    log.add(netns, "error", "packet-security", "", "packet security counters failed: " + e.getMessage());
                }
            }
            for (String name : names) {
                ifs.add(verdict(netns, name, counted.get(name)));
            }
        });
        List<Views.PeerView> peers = new ArrayList<>();
        List<Views.RekeyView> rekey = new ArrayList<>();
        for (Paths p : paths) {
            RekeyHealth h = p.health() == null ? null : p.health().get();
            peers.addAll(peers(p, h));
            if (h != null) {
                rekey.add(rekeyView(p.netns(), h));
                healthEvents(p, h, log);
            }
        }
        return new Views.Security(epochMillis.getAsLong(), ifs, peers, rekey);
    }

    private Views.InterfaceSecurityView verdict(String netns, String iface, PacketSecuritySource.InterfaceCounters c) {
        if (c == null) {
            return new Views.InterfaceSecurityView(netns, iface, SecurityVerdict.UNKNOWN.json(), null, null);
        }
        long[] before = previous.put(netns + "/" + iface, new long[] {c.espPackets(), c.clearPackets()});
        Long esp = before == null ? null : Math.max(0, c.espPackets() - before[0]);
        Long clear = before == null ? null : Math.max(0, c.clearPackets() - before[1]);
        return new Views.InterfaceSecurityView(netns, iface, SecurityVerdict.of(esp, clear).json(), esp, clear);
    }

    private List<Views.PeerView> peers(Paths p, RekeyHealth h) {
        Map<String, List<Views.SaView>> byPeer = new TreeMap<>();
        for (List<PathSa> generation : p.sas().installedSas().values()) {
            for (PathSa sa : generation) {
                InetAddress peer = sa.outbound() ? sa.sa().destination() : sa.sa().source();
                byPeer.computeIfAbsent(peer.getHostAddress(), k -> new ArrayList<>()).add(saView(p, sa));
            }
        }
        List<Views.PeerView> out = new ArrayList<>();
        byPeer.forEach((peer, sas) -> {
            sas.sort((a, b) -> a.generation() != b.generation() ? Long.compare(a.generation(), b.generation())
                    : a.direction().compareTo(b.direction()));
            Long peerGen = null;
            long active = 0;
            if (h != null) {
                active = h.activeGeneration();
                for (Map.Entry<InetAddress, Long> e : h.peerGenerations().entrySet()) {
                    if (e.getKey().getHostAddress().equals(peer)) {
                        peerGen = e.getValue();
                    }
                }
            }
            out.add(new Views.PeerView(p.netns(), peer, active, peerGen, sas));
        });
        return out;
    }

    private Views.SaView saView(Paths p, PathSa sa) {
        Optional<SaUsage> u;
        try {
            u = p.usage().usage(sa.id());
        } catch (Exception e) {
            u = Optional.empty();
        }
        Long age = u.filter(x -> x.addTime() > 0).map(x -> Math.max(0, epochMillis.getAsLong() / 1000 - x.addTime()))
                .orElse(null);
        long hard = sa.sa().lifetime().hardAddSeconds();
        Long expires = hard == 0 || age == null ? null : Math.max(0, hard - age);
        return new Views.SaView(sa.outbound() ? "out" : "in", ConnectionsView.hex32(sa.sa().spi()), sa.generation(),
                u.map(SaUsage::bytes).orElse(null), u.map(SaUsage::packets).orElse(null), age, expires);
    }

    private static Views.RekeyView rekeyView(String netns, RekeyHealth h) {
        RekeyHealth.Failure f = h.lastError();
        return new Views.RekeyView(netns, h.state().name().toLowerCase(java.util.Locale.ROOT), h.activeGeneration(),
                h.rekeys(), h.lastRekeyAt() == null ? null : h.lastRekeyAt().toEpochMilli(), h.lastRekeyGeneration(),
                h.lastRekeyCause() == null ? null : h.lastRekeyCause().name(), h.consecutiveFailures(),
                f == null ? null : new Views.FailureView(f.at().toEpochMilli(), f.operation(), f.message()),
                h.eventOverruns());
    }

    private void healthEvents(Paths p, RekeyHealth h, EventLog log) {
        RekeyHealth before = lastHealth.put(p.netns() + "/" + System.identityHashCode(p), h);
        if (before == null) {
            return;
        }
        if (h.rekeys() > before.rekeys()) {
            log.add(p.netns(), "rekey", "generation " + h.activeGeneration(), "", "rekeyed to generation "
                    + h.lastRekeyGeneration() + " (" + h.lastRekeyCause() + ")");
        }
        if (h.lastError() != null && !h.lastError().equals(before.lastError())) {
            log.add(p.netns(), "rekey-error", h.lastError().operation(), "", h.lastError().message());
        }
    }
}
