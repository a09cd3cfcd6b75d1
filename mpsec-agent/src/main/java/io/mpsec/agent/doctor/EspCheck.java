package io.mpsec.agent.doctor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code esp}: whether this kernel can install MPSec's ESP SAs, measured by {@link EspProbe}. */
final class EspCheck implements Check {
    @Override
    public String name() {
        return "esp";
    }

    @Override
    public List<Finding> run(Target t) {
        Map<EspProbe.Family, EspProbe.Outcome> r = EspProbe.probe();
        Map<String, Object> v = new LinkedHashMap<>();
        List<String> parts = new ArrayList<>();
        int present = 0;
        int missing = 0;
        for (Map.Entry<EspProbe.Family, EspProbe.Outcome> e : r.entrySet()) {
            String fam = e.getKey().name().toLowerCase(Locale.ROOT);
            EspProbe.Outcome o = e.getValue();
            v.put(fam, o.verdict().name().toLowerCase(Locale.ROOT));
            parts.add(fam + ": " + o.verdict().name().toLowerCase(Locale.ROOT) + " (" + o.detail() + ")");
            present += o.verdict() == EspProbe.Verdict.PRESENT ? 1 : 0;
            missing += o.verdict() == EspProbe.Verdict.MISSING ? 1 : 0;
        }
        String found = String.join("; ", parts);
        if (present == r.size()) {
            return List.of(Finding.ok("esp", "IPsec ESP", found, v));
        }
        if (missing == r.size()) {
            return List.of(Finding.of("esp", Status.FAIL, "IPsec ESP", "this kernel has no ESP: " + found,
                    "use a kernel with CONFIG_INET_ESP/CONFIG_INET6_ESP and AES-GCM (for example Debian's linux-image-amd64), "
                            + "or load the modules: modprobe esp4 esp6 gcm", v));
        }
        if (present > 0 && missing > 0) {
            return List.of(Finding.of("esp", Status.WARN, "IPsec ESP", "ESP works for one address family only: " + found,
                    "load the missing module (modprobe esp4 / esp6) if MPSec paths use that family", v));
        }
        return List.of(Finding.of("esp", Status.WARN, "IPsec ESP", "ESP could not be probed: " + found,
                "run doctor as root", v));
    }
}
