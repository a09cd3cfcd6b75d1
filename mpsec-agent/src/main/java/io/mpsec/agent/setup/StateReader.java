package io.mpsec.agent.setup;

import com.fasterxml.jackson.databind.JsonNode;
import io.mpsec.agent.setup.NetState.EndpointEntry;
import io.mpsec.agent.setup.NetState.Limits;
import io.mpsec.agent.setup.NetState.RouteEntry;
import io.mpsec.agent.setup.NetState.RuleEntry;
import io.mpsec.agent.setup.NetState.SecureEntry;
import io.mpsec.kernel.rtnl.Link;
import io.mpsec.pm.Endpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads what the kernel holds on exactly the items a desired state (or a snapshot) manages: the same
 * sysctl keys, the endpoints on the same addresses or ids, the rules with setup's preference on the
 * same addresses or tables, the whole content of the same tables, the policies on the same selectors.
 */
final class StateReader {
    private StateReader() {
    }

    static NetState read(Target t, NetState scope) throws IOException {
        Map<String, String> sysctls = new LinkedHashMap<>();
        for (String key : scope.sysctls().keySet()) {
            sysctls.put(key, t.sysctl(key).readIfPresent(key).orElse(null));
        }
        Limits limits = null;
        if (scope.limits() != null) {
            io.mpsec.pm.Limits l = t.pm().limits();
            limits = new Limits(l.subflows(), l.addAddrAccepted());
        }
        List<EndpointEntry> endpoints = scope.endpoints().isEmpty() ? List.of() : endpoints(t, scope.endpoints());
        List<RuleEntry> rules = scope.rules().isEmpty() ? List.of() : rules(t, scope.rules());
        Map<Long, List<RouteEntry>> routes = new TreeMap<>();
        for (Long table : scope.routes().keySet()) {
            routes.put(table, routes(t, table));
        }
        SecureEntry secure = null;
        if (scope.secure() != null) {
            secure = SecureState.read(t, SecureState.addresses(scope.secure().local()), SecureState.addresses(scope.secure().remote()));
        }
        return new NetState(sysctls, limits, endpoints, rules, routes, secure);
    }

    private static List<EndpointEntry> endpoints(Target t, List<EndpointEntry> scope) throws IOException {
        Set<String> addrs = new HashSet<>();
        Set<Integer> ids = new HashSet<>();
        scope.forEach(e -> {
            addrs.add(e.address());
            if (e.id() != 0) {
                ids.add(e.id());
            }
        });
        Map<Integer, String> names = new LinkedHashMap<>();
        for (Link l : t.links()) {
            names.put(l.index(), l.name());
        }
        List<EndpointEntry> out = new ArrayList<>();
        for (Endpoint e : t.pm().endpoints()) {
            String a = e.address().getHostAddress();
            if (addrs.contains(a) || ids.contains(e.id())) {
                out.add(new EndpointEntry(e.id(), a, e.flags().stream().map(f -> f.name().toLowerCase(Locale.ROOT)).toList(),
                        e.ifIndex() == 0 ? null : names.getOrDefault(e.ifIndex(), "if" + e.ifIndex())));
            }
        }
        return out;
    }

    private static List<RuleEntry> rules(Target t, List<RuleEntry> scope) throws IOException {
        Set<String> froms = new HashSet<>();
        Set<Long> tables = new HashSet<>();
        scope.forEach(r -> {
            froms.add(r.from());
            tables.add(r.table());
        });
        List<RuleEntry> out = new ArrayList<>();
        for (String family : List.of("-4", "-6")) {
            for (JsonNode n : t.ip().json(List.of(family, "rule", "show"))) {
                int pref = n.path("priority").asInt(-1);
                String src = n.path("src").asText("all");
                long table;
                try {
                    table = Long.parseLong(n.path("table").asText(""));
                } catch (NumberFormatException e) {
                    continue; // main, local, default: never setup's
                }
                if (n.has("srclen")) {
                    src = src + "/" + n.path("srclen").asInt();
                }
                if (pref == Desired.RULE_PREF && (froms.contains(src) || tables.contains(table))) {
                    out.add(new RuleEntry(pref, src, table));
                }
            }
        }
        return out;
    }

    private static List<RouteEntry> routes(Target t, long table) throws IOException {
        List<RouteEntry> out = new ArrayList<>();
        for (String family : List.of("-4", "-6")) {
            JsonNode list;
            try {
                list = t.ip().json(List.of(family, "route", "show", "table", Long.toString(table)));
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains("FIB table does not exist")) {
                    continue; // an empty IPv4 table
                }
                throw e;
            }
            for (JsonNode n : list) {
                String dst = n.path("dst").asText();
                if (!dst.equals("default") && !dst.contains("/")) {
                    dst = dst + (dst.contains(":") ? "/128" : "/32");
                }
                out.add(new RouteEntry(dst, text(n, "gateway"), text(n, "dev"), text(n, "scope"), text(n, "prefsrc"),
                        text(n, "protocol"), n.path("metric").asLong(0)));
            }
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
