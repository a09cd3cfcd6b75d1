package io.mpsec.agent.doctor;

import io.mpsec.pm.Endpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code rp_filter}: strict reverse-path filtering ({@code rp_filter = 1}). The kernel applies the
 * larger of {@code conf/all} and {@code conf/IFACE} (IN_DEV_RPFILTER is an IN_DEV_MAXCONF in
 * include/linux/inetdevice.h). With strict filtering a packet is dropped when the route back to its
 * source leaves through another interface: on a multihomed host that is exactly what MPTCP's extra
 * subflows look like, so joins are silently dropped. Loose mode (2) keeps the spoofing check and lets
 * MPTCP work (Documentation/networking/ip-sysctl.rst).
 */
final class RpFilterCheck implements Check {
    static final int STRICT = 1;

    @Override
    public String name() {
        return "rp_filter";
    }

    @Override
    public List<Finding> run(Target t) throws Exception {
        Map<String, Object> v = new LinkedHashMap<>();
        int all = read(t, "all");
        int def = read(t, "default");
        v.put("all", all);
        v.put("default", def);
        Set<String> ifaces = new LinkedHashSet<>();
        for (Endpoint e : t.endpoints()) {
            Optional<String> dev = e.ifIndex() != 0 ? t.linkName(e.ifIndex()) : t.interfaceOf(e.address());
            dev.ifPresent(ifaces::add);
        }
        Map<String, Object> perIface = new LinkedHashMap<>();
        List<String> strict = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        if (all == STRICT) {
            strict.add("net.ipv4.conf.all.rp_filter = 1 (applies to every interface)");
            keys.add("all");
        }
        for (String dev : ifaces) {
            int own = read(t, dev);
            int effective = Math.max(all, own);
            perIface.put(dev, Map.of("rp_filter", own, "effective", effective));
            if (own == STRICT && effective == STRICT) {
                strict.add("net.ipv4.conf." + dev + ".rp_filter = 1 on endpoint interface " + dev);
                keys.add(dev);
            }
        }
        v.put("interfaces", perIface);
        String summary = "all " + all + ", default " + def + (perIface.isEmpty() ? "" : ", endpoint interfaces " + perIface);
        if (!strict.isEmpty()) {
            if (def == STRICT) {
                keys.add("default");
            }
            return List.of(Finding.of("rp_filter", Status.FAIL, "Reverse-path filter", "strict rp_filter: "
                    + String.join("; ", strict) + "; it drops MPTCP subflows that arrive on another interface than the route back",
                    "set loose mode (2): " + fix(t, keys), v));
        }
        if (def == STRICT) {
            return List.of(Finding.of("rp_filter", Status.WARN, "Reverse-path filter", summary
                    + ": interfaces created from now on start with strict rp_filter (1), which breaks MPTCP on them",
                    "set loose mode (2): " + fix(t, List.of("default")), v));
        }
        return List.of(Finding.ok("rp_filter", "Reverse-path filter", summary + " (none strict)", v));
    }

    private static String fix(Target t, List<String> keys) {
        StringBuilder b = new StringBuilder("sysctl -w");
        for (String k : keys) {
            // a name with dots (eth0.100) needs the slash form of the key (sysctl(8))
            b.append(k.contains(".") ? " net/ipv4/conf/" + k + "/rp_filter=2" : " net.ipv4.conf." + k + ".rp_filter=2");
        }
        return t.command(b.toString());
    }

    /** conf/NAME/rp_filter; an interface without IPv4 configuration counts as 0. */
    private static int read(Target t, String conf) throws Exception {
        return t.procSys("net", "ipv4", "conf", conf, "rp_filter").map(Integer::parseInt).orElse(0);
    }
}
