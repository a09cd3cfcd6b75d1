package io.mpsec.agent.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.keys.DerivedSa;
import io.mpsec.ipsec.keys.SaKeyDerivation;
import io.mpsec.ipsec.paths.PathSa;
import io.mpsec.ipsec.paths.RekeyHealth;
import io.mpsec.ipsec.xfrm.SaUsage;
import io.mpsec.pm.PmEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The JSON documents of the API, field by field, and that the security panel never carries key bytes. */
class JsonShapesTest {
    private static final long NOW = 1_790_000_000_000L;

    private static JsonNode json(Object o) throws Exception {
        return Json.MAPPER.readTree(Json.text(o));
    }

    private static List<String> fields(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            out.add(it.next());
        }
        return out;
    }

    @Test
    void interfacesDocument() throws Exception {
        Views.InterfaceView i = new Views.InterfaceView("c1", 2, true, "up", "silent", "nothing received", NOW,
                new Views.Direction(10, 1, 0, 0, 0.0), new Views.Direction(3_000_000, 2000, 0, 1, 1.25e7));
        JsonNode n = json(new Views.Interfaces(NOW, List.of(new Views.NamespaceView("c", 1, 0, List.of(i)))));
        assertThat(fields(n)).containsExactly("time", "namespaces");
        JsonNode ns = n.get("namespaces").get(0);
        assertThat(fields(ns)).containsExactly("netns", "paths", "activePaths", "interfaces");
        JsonNode c1 = ns.get("interfaces").get(0);
        assertThat(fields(c1)).containsExactly("name", "index", "path", "operState", "status", "statusReason",
                "statusSince", "rx", "tx");
        assertThat(fields(c1.get("tx"))).containsExactly("bytes", "packets", "errors", "drops", "bytesPerSecond");
        assertThat(c1.get("tx").get("bytesPerSecond").asDouble()).isEqualTo(1.25e7);
        assertThat(c1.get("status").asText()).isEqualTo(PathStatus.SILENT.json());
    }

    @Test
    void connectionsDocument() throws Exception {
        InetSocketAddress l = new InetSocketAddress(InetAddress.getByName("198.18.1.1"), 40000);
        InetSocketAddress r = new InetSocketAddress(InetAddress.getByName("198.18.1.2"), 5000);
        InetSocketAddress l6 = new InetSocketAddress(InetAddress.getByName("2001:2::1"), 40001);
        ConnectionsSource.ConnectionRow row = new ConnectionsSource.ConnectionRow(0xabcdL, l, r, false, List.of(
                new ConnectionsSource.SubflowRow(l, r, 1234, 10, 5_000_000, 100, false, "cubic"),
                new ConnectionsSource.SubflowRow(l6, r, 2345, 7, 4_000_000, 90, true, "cubic")));
        JsonNode n = json(ConnectionsView.view("c", row));
        assertThat(fields(n)).containsExactly("netns", "token", "local", "remote", "fallback", "subflows");
        assertThat(n.get("token").asText()).isEqualTo("0x0000abcd");
        for (long t : new long[] {0, 0xabcdL, 0xffffffffL, 0x12345678L, -1L}) {
            assertThat(ConnectionsView.hex32(t)).isEqualTo(String.format("0x%08x", t));
        }
        assertThat(n.get("local").asText()).isEqualTo("198.18.1.1:40000");
        JsonNode sf = n.get("subflows").get(1);
        assertThat(fields(sf)).containsExactly("local", "remote", "rttMicros", "cwnd", "bytesSent", "bytesReceived",
                "backup", "congestionControl");
        assertThat(sf.get("local").asText()).isEqualTo("[2001:2:0:0:0:0:0:1]:40001");
        assertThat(sf.get("backup").asBoolean()).isTrue();
    }

    @Test
    void connectionsLogAFallbackOnceAndNoneWithoutASource() throws Exception {
        EventLog log = new EventLog(() -> NOW);
        InetSocketAddress l = new InetSocketAddress(InetAddress.getByName("198.18.1.1"), 40000);
        InetSocketAddress r = new InetSocketAddress(InetAddress.getByName("198.18.1.2"), 5000);
        Map<String, ConnectionsSource> sources = new java.util.concurrent.ConcurrentHashMap<>();
        ConnectionsView v = new ConnectionsView(sources, log);
        assertThat(v.read().connections()).isEmpty();
        assertThat(v.read().sources()).isEmpty();
        sources.put("c", () -> List.of(new ConnectionsSource.ConnectionRow(0, l, r, true, List.of())));
        assertThat(v.read().connections()).singleElement().extracting(Views.ConnectionView::fallback).isEqualTo(true);
        v.read();
        assertThat(log.after(0, 10)).extracting(DashboardEvent::kind).containsExactly("fallback");
    }

    @Test
    void securityDocumentHasSasAndHealthButNoKeyBytes() throws Exception {
        byte[] master = new byte[32];
        for (int i = 0; i < master.length; i++) {
            master[i] = (byte) (0x5c ^ (i * 37));
        }
        InetAddress a = InetAddress.getByName("198.18.1.1");
        InetAddress b = InetAddress.getByName("198.18.1.2");
        SaKeyDerivation kd = new SaKeyDerivation(SecretBytes.copyOf(master), 256);
        DerivedSa out = kd.derive(3, a, b, 0);
        DerivedSa in = kd.derive(3, b, a, 0);
        List<byte[]> secrets = List.of(master, out.key().copy(), in.key().copy());
        List<PathSa> sas = new ArrayList<>();
        for (DerivedSa d : List.of(out, in)) {
            SecurityAssociation sa = SecurityAssociation.builder().source(d.source()).destination(d.destination())
                    .spi(d.spi()).reqid(5).lifetime(Lifetime.seconds(3000, 3600)).algorithm(SaAlgorithm.aesGcm(d.key())).build();
            sas.add(new PathSa(3, sa, d == out));
        }
        RekeyHealth health = new RekeyHealth(RekeyHealth.State.RUNNING, 3, List.of(b), Map.of(b, 3L),
                Instant.ofEpochMilli(NOW - 60_000), 3, RekeyHealth.Cause.SOFT_EXPIRE, 2, null, 0, 0, null, null, 0, 0, 0, 0, 0);
        SecurityPanel panel = new SecurityPanel(() -> NOW);
        panel.register("c", () -> Map.of(3L, sas), id -> Optional.of(new SaUsage(4242, 7, NOW / 1000 - 100, NOW / 1000 - 99)),
                () -> health);
        long[] esp = {100};
        panel.packetSource("c", () -> List.of(new PacketSecuritySource.InterfaceCounters("c1", esp[0], esp[0] * 100, 0, 0)));
        EventLog log = new EventLog(() -> NOW);
        panel.view(Map.of("c", List.of("c1", "c2")), log);
        esp[0] = 150;
        Views.Security s = panel.view(Map.of("c", List.of("c1", "c2")), log);
        String text = Json.text(s);
        JsonNode n = Json.MAPPER.readTree(text);
        assertThat(fields(n)).containsExactly("time", "interfaces", "peers", "rekey");
        assertThat(n.get("interfaces").get(0).get("verdict").asText()).isEqualTo("esp");
        assertThat(n.get("interfaces").get(0).get("espPackets").asLong()).isEqualTo(50);
        assertThat(n.get("interfaces").get(1).get("verdict").asText()).isEqualTo("unknown");
        JsonNode peer = n.get("peers").get(0);
        assertThat(fields(peer)).containsExactly("netns", "peer", "activeGeneration", "peerGeneration", "sas");
        assertThat(peer.get("peer").asText()).isEqualTo("198.18.1.2");
        JsonNode sa = peer.get("sas").get(0);
        assertThat(fields(sa)).containsExactly("direction", "spi", "generation", "bytes", "packets", "ageSeconds",
                "expiresInSeconds");
        assertThat(sa.get("bytes").asLong()).isEqualTo(4242);
        assertThat(sa.get("ageSeconds").asLong()).isEqualTo(100);
        assertThat(sa.get("expiresInSeconds").asLong()).isEqualTo(3500);
        assertThat(n.get("rekey").get(0).get("state").asText()).isEqualTo("running");
        for (byte[] k : secrets) {
            String hex = HexFormat.of().formatHex(k);
            assertThat(text).doesNotContainIgnoringCase(hex.substring(0, 16));
            for (int skip = 0; skip < 3; skip++) {
                String b64 = Base64.getEncoder().encodeToString(Arrays.copyOfRange(k, skip, k.length));
                assertThat(text).doesNotContain(b64.substring(0, 12));
            }
            Arrays.fill(k, (byte) 0);
        }
    }

    @Test
    void verdicts() {
        assertThat(SecurityVerdict.of(null, null)).isEqualTo(SecurityVerdict.UNKNOWN);
        assertThat(SecurityVerdict.of(5L, 0L)).isEqualTo(SecurityVerdict.ESP);
        assertThat(SecurityVerdict.of(0L, 5L)).isEqualTo(SecurityVerdict.CLEARTEXT);
        assertThat(SecurityVerdict.of(5L, 5L)).isEqualTo(SecurityVerdict.MIXED);
        assertThat(SecurityVerdict.of(0L, 0L)).isEqualTo(SecurityVerdict.IDLE);
    }

    @Test
    void eventsAndTheStreamFormat() throws Exception {
        EventLog log = new EventLog(() -> NOW);
        for (int i = 0; i < EventLog.CAPACITY + 5; i++) {
            log.add("c", "path-down", "c1", "down", "c1 up -> down: no carrier");
        }
        assertThat(log.after(0, 1000)).hasSize(EventLog.CAPACITY);
        assertThat(log.after(EventLog.CAPACITY + 3, 10)).extracting(DashboardEvent::seq)
                .containsExactly((long) EventLog.CAPACITY + 4, (long) EventLog.CAPACITY + 5);
        DashboardEvent e = log.after(0, 1).get(0);
        JsonNode n = json(e);
        assertThat(fields(n)).containsExactly("seq", "time", "netns", "kind", "subject", "status", "message");
        String sse = SseHub.message("event", e.seq(), Json.text(e));
        assertThat(sse).startsWith("id: " + e.seq() + "\nevent: event\ndata: {").endsWith("}\n\n");
        assertThat(sse.split("\n")).hasSize(3);
        assertThat(SseHub.lastEventId("42")).isEqualTo(42);
        assertThat(SseHub.lastEventId("x")).isZero();
        assertThat(SseHub.lastEventId(null)).isZero();
    }

    @Test
    void pathManagerEventsBecomeLines() throws Exception {
        PmEvent.Endpoints ends = new PmEvent.Endpoints(InetAddress.getByName("198.18.2.1"), 40000,
                InetAddress.getByName("198.18.1.2"), 5000);
        PmEventText.Line l = PmEventText.of(new PmEvent.SubflowEstablished(0x1234, 2, 0, ends, true, 3));
        assertThat(l.kind()).isEqualTo("subflow-added");
        assertThat(l.message()).isEqualTo("subflow 198.18.2.1:40000 -> 198.18.1.2:5000 (backup) added to 0x00001234");
        assertThat(PmEventText.of(new PmEvent.SubflowClosed(0x1234, 2, 0, ends, false, 110)).message()).endsWith("(error 110)");
        assertThat(PmEventText.of(new PmEvent.ListenerCreated(InetAddress.getByName("198.18.1.2"), 5000))).isNull();
    }

    @Test
    void unknownApiIsA404WithJson() throws Exception {
        var res = new WebRouter(null).api("/api/v1/nope", Map.of());
        assertThat(res.status().code()).isEqualTo(404);
        assertThat(res.headers().get("Content-Type")).isEqualTo(WebRouter.JSON);
        assertThat(Json.MAPPER.readTree(res.content().toString(java.nio.charset.StandardCharsets.UTF_8)).get("error").asText())
                .contains("/api/v1/nope");
        res.release();
        var bad = new WebRouter(null).api("/api/v1/events", Map.of("limit", List.of("lots")));
        assertThat(bad.status().code()).isEqualTo(400);
        assertThat(bad.content().toString(java.nio.charset.StandardCharsets.UTF_8)).contains("limit='lots'", "1 to 500");
        bad.release();
    }
}
