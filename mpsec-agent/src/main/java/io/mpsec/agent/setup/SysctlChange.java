package io.mpsec.agent.setup;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A sysctl written through {@link io.mpsec.kernel.sysctl.NetSysctl} (the namespace's own thread). */
record SysctlChange(String key, String before, String after) implements Change {
    @Override
    public List<String> diff() {
        List<String> d = new ArrayList<>();
        if (before != null) {
            d.add("- sysctl " + key + " = " + before);
        }
        d.add("+ sysctl " + key + " = " + after + (Target.HOST_WIDE.contains(key) ? "  (host-wide)" : ""));
        return d;
    }

    @Override
    public void apply(Target t) throws IOException {
        t.sysctl(key).write(key, after);
    }

    @Override
    public void revert(Target t) throws IOException {
        if (before != null) {
            t.sysctl(key).write(key, before);
        }
    }
}
