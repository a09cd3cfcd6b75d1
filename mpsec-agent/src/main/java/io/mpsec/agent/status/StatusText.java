package io.mpsec.agent.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Renders a status answer ({@link StatusCollector#collect()} as JSON) as a readable summary. */
public final class StatusText {
    private static final Set<String> KNOWN = Set.of("protocol", "time", "agent", "namespaces", "connections", "warnings");

    private StatusText() {
    }

    /** The summary, several lines ending with a newline. */
    public static String render(JsonNode s) {
        StringBuilder b = new StringBuilder();
        JsonNode a = s.path("agent");
        b.append("MPSec agent");
        if (a.has("pid")) {
            b.append(", pid ").append(a.get("pid").asText());
        }
        if (a.has("uptimeSeconds")) {
            b.append(", up ").append(duration(a.get("uptimeSeconds").asLong()));
        }
        b.append('\n');
        if (a.has("http")) {
            b.append("  http: ").append(a.get("http").asText()).append(" (auth: ").append(a.path("auth").asText("?"))
                    .append(")\n");
        }
        JsonNode namespaces = s.path("namespaces");
        b.append("namespaces: ").append(namespaces.size()).append('\n');
        for (JsonNode ns : namespaces) {
            b.append("  ").append(ns.path("name").asText()).append('\n');
            JsonNode ifs = ns.path("interfaces");
            b.append("    paths (interfaces): ").append(ifs.size()).append('\n');
            for (JsonNode i : ifs) {
                b.append(String.format(Locale.ROOT, "      %-12s %-7s rx %10s/s tx %10s/s  (rx %s, tx %s, errors %d, drops %d)%n",
                        i.path("name").asText(), i.path("state").asText("?"), bytes(i.path("rxBytesPerSecond").asDouble()),
                        bytes(i.path("txBytesPerSecond").asDouble()), bytes(i.path("rxBytes").asDouble()),
                        bytes(i.path("txBytes").asDouble()), i.path("errors").asLong(), i.path("drops").asLong()));
            }
            JsonNode sas = ns.path("sas");
            b.append("    SAs: ").append(sas.size()).append('\n');
            for (JsonNode sa : sas) {
                b.append(String.format(Locale.ROOT, "      %-3s %s %s -> %s gen %s  %s, age %s, hard limit in %s%n",
                        sa.path("direction").asText(), sa.path("spi").asText(), sa.path("src").asText(),
                        sa.path("dst").asText(), sa.path("generation").asText(), bytes(sa.path("bytes").asDouble()),
                        seconds(sa.get("ageSeconds")), seconds(sa.get("lifetimeRemainingSeconds"))));
            }
            JsonNode r = ns.get("rekey");
            if (r == null) {
                b.append("    rekey: not running here\n");
            } else {
                b.append("    rekey: ").append(r.path("state").asText()).append(", generation ")
                        .append(r.path("generation").asText()).append(", ").append(r.path("rekeys").asText())
                        .append(" rekeys, last ").append(r.get("lastRekeyAgeSeconds") == null
                                || r.get("lastRekeyAgeSeconds").isNull() ? "never" : seconds(r.get("lastRekeyAgeSeconds")) + " ago")
                        .append(", ").append(r.path("consecutiveFailures").asText()).append(" failures in a row\n");
            }
            JsonNode x = ns.get("xfrm");
            if (x != null && x.size() > 0) {
                b.append("    xfrm_stat:");
                x.fields().forEachRemaining(e -> b.append(' ').append(e.getKey()).append('=').append(e.getValue().asText()));
                b.append('\n');
            }
        }
        JsonNode conns = s.get("connections");
        if (conns == null || conns.isNull()) {
            b.append("connections: not reported (no connection source in this agent yet)\n");
        } else if (conns.isArray()) {
            b.append("connections: ").append(conns.size()).append('\n');
            for (JsonNode c : conns) {
                if (c.has("local") && c.has("remote")) {
                    b.append("  ").append(c.path("local").asText()).append(" -> ").append(c.path("remote").asText())
                            .append("  subflows ").append(c.path("subflows").asText("?")).append("  ")
                            .append(c.path("state").asText("")).append('\n');
                } else {
                    b.append("  ").append(c).append('\n');
                }
            }
        } else {
            b.append("connections: ").append(conns).append('\n');
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!KNOWN.contains(e.getKey())) {
                b.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
            }
        }
        JsonNode w = s.path("warnings");
        if (w.size() == 0) {
            b.append("warnings: none\n");
        } else {
            b.append("warnings: ").append(w.size()).append('\n');
            for (JsonNode m : w) {
                b.append("  ! ").append(m.asText()).append('\n');
            }
        }
        return b.toString();
    }

    static String bytes(double v) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f %s", v, units[u]) : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String seconds(JsonNode n) {
        return n == null || n.isNull() ? "-" : duration(n.asLong());
    }

    static String duration(long s) {
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return (s / 60) + " min";
        }
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
}
