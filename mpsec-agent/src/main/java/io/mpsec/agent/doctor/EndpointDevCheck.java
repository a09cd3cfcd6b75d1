package io.mpsec.agent.doctor;

import io.mpsec.pm.Endpoint;
import io.mpsec.pm.EndpointFlag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code endpoints.dev}: endpoints added without {@code dev}. The in-kernel path manager then binds
 * the subflow only to the address and lets the routing table choose the interface; with several
 * interfaces (or policy routing) that may be the wrong one, so the "second path" leaves through the
 * first. Endpoints whose address is on no interface are reported too: they are never used.
 */
final class EndpointDevCheck implements Check {
    @Override
    public String name() {
        return "endpoints.dev";
    }

    @Override
    public List<Finding> run(Target t) throws Exception {
        List<Endpoint> eps = t.endpoints();
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> noDev = new ArrayList<>();
        List<String> noAddress = new ArrayList<>();
        StringBuilder fix = new StringBuilder();
        for (Endpoint e : eps) {
            String addr = e.address().getHostAddress();
            Optional<String> holder = t.interfaceOf(e.address());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", e.id());
            row.put("address", addr);
            row.put("dev", e.ifIndex() == 0 ? null : t.linkName(e.ifIndex()).orElse("ifindex " + e.ifIndex()));
            row.put("address_on", holder.orElse(null));
            rows.add(row);
            if (holder.isEmpty()) {
                noAddress.add(addr + " (id " + e.id() + ")");
            }
            if (e.ifIndex() == 0) {
                noDev.add(addr + " (id " + e.id() + ")");
                if (fix.length() > 0) {
                    fix.append("; ");
                }
                fix.append(t.command("ip mptcp endpoint delete id " + e.id())).append(" && ")
                        .append(t.command("ip mptcp endpoint add " + addr + " dev " + holder.orElse("IFACE")
                                + flags(e) + (e.port() == 0 ? "" : " port " + e.port())));
            }
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("endpoints", rows);
        v.put("without_dev", noDev);
        v.put("address_missing", noAddress);
        if (eps.isEmpty()) {
            return List.of(Finding.ok("endpoints.dev", "Endpoints bound to an interface", "no endpoints", v));
        }
        if (noDev.isEmpty() && noAddress.isEmpty()) {
            return List.of(Finding.ok("endpoints.dev", "Endpoints bound to an interface",
                    "all " + eps.size() + " endpoint(s) have a dev and an address on an interface", v));
        }
        List<String> found = new ArrayList<>();
        if (!noDev.isEmpty()) {
            found.add("without dev: " + String.join(", ", noDev)
                    + "; the kernel then picks the interface by route lookup and may use the wrong one");
        }
        if (!noAddress.isEmpty()) {
            found.add("address on no interface: " + String.join(", ", noAddress) + "; such endpoints are never used");
        }
        String action = noDev.isEmpty() ? "add the address to its interface or delete the endpoint"
                : "recreate each with dev: " + fix;
        return List.of(Finding.of("endpoints.dev", Status.WARN, "Endpoints bound to an interface", String.join("; ", found),
                action, v));
    }

    private static String flags(Endpoint e) {
        StringBuilder b = new StringBuilder();
        for (EndpointFlag f : e.flags()) {
            if (f != EndpointFlag.IMPLICIT) {
                b.append(' ').append(f.name().toLowerCase(Locale.ROOT));
            }
        }
        return b.toString();
    }
}
