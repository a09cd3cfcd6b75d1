package io.mpsec.agent.setup;

import io.mpsec.agent.config.SecurePathsSettings;
import io.mpsec.agent.setup.NetState.EndpointEntry;
import io.mpsec.agent.setup.NetState.RouteEntry;
import io.mpsec.agent.setup.NetState.RuleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The plan from a current state to a desired one, in the order it is applied: secure paths first
 * (protection before anything else), then sysctls, limits, endpoints (deletions before additions),
 * routes, rules. An undo uses the same diff with the snapshot as the desired state; its secure step
 * comes last, after everything that can fail.
 */
final class Planner {
    private static final List<String> SYSCTL_ORDER = List.of("net.mptcp.enabled", "net.mptcp.path_manager", "net.mptcp.pm_type",
            "net.mptcp.scheduler", "net.mptcp.stale_loss_cnt",
            // a namespace other than the host's may only select an allowed algorithm as its default (EPERM otherwise,
            // net/ipv4/tcp_cong.c tcp_set_default_congestion_control): the allowed list first
            Desired.ALLOWED_CC, "net.ipv4.tcp_congestion_control");

    private Planner() {
    }

    /**
     * @param secure the configuration's secure paths (for a setup), or {@code null} for an undo
     */
    static List<Change> plan(NetState current, NetState desired, SecurePathsSettings secure) {
        boolean undo = secure == null;
        List<Change> plan = new ArrayList<>();
        if (!undo && desired.secure() != null) {
            if (!current.secure().peersProtected()) {
                plan.add(new SecureApplyChange(secure, current.secure()));
            } else if (desired.secure().joinGate() && !current.secure().joinGate()) {
                plan.add(new GateChange());
            }
        }
        List<String> keys = new ArrayList<>(desired.sysctls().keySet());
        keys.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        for (String k : keys) {
            String want = desired.sysctls().get(k);
            String now = current.sysctls().get(k);
            if (want != null && !sameSysctl(k, now, want)) {
                plan.add(new SysctlChange(k, now, want));
            }
        }
        if (desired.limits() != null && !desired.limits().equals(current.limits())) {
            plan.add(new LimitsChange(current.limits(), desired.limits()));
        }
        List<EndpointEntry> keep = new ArrayList<>();
        List<EndpointEntry> add = new ArrayList<>();
        for (EndpointEntry d : desired.endpoints()) {
            EndpointEntry have = current.endpoints().stream().filter(d::satisfiedBy).findFirst().orElse(null);
            if (have == null) {
                add.add(d);
            } else {
                keep.add(have);
            }
        }
        for (EndpointEntry c : current.endpoints()) {
            if (!keep.contains(c)) {
                plan.add(new EndpointChange(false, c));
            }
        }
        add.forEach(d -> plan.add(new EndpointChange(true, d)));
        for (Map.Entry<Long, List<RouteEntry>> t : desired.routes().entrySet()) {
            List<RouteEntry> now = current.routes().getOrDefault(t.getKey(), List.of());
            for (RouteEntry c : now) {
                if (t.getValue().stream().noneMatch(c::sameAs)) {
                    plan.add(new RouteChange(false, t.getKey(), c));
                }
            }
            for (RouteEntry d : t.getValue()) {
                if (now.stream().noneMatch(d::sameAs)) {
                    plan.add(new RouteChange(true, t.getKey(), d));
                }
            }
        }
        for (RuleEntry c : current.rules()) {
            if (!desired.rules().contains(c)) {
                plan.add(new RuleChange(false, c));
            }
        }
        for (RuleEntry d : desired.rules()) {
            if (!current.rules().contains(d)) {
                plan.add(new RuleChange(true, d));
            }
        }
        if (undo && desired.secure() != null && current.secure() != null
                && SecureRestoreChange.needed(current.secure(), desired.secure())) {
            plan.add(new SecureRestoreChange(current.secure(), desired.secure()));
        }
        return plan;
    }

    private static int rank(String key) {
        int i = SYSCTL_ORDER.indexOf(key);
        return i < 0 ? SYSCTL_ORDER.size() : i;
    }

    /** The congestion-control lists compare as sets (the kernel prints them in its own order). */
    private static boolean sameSysctl(String key, String now, String want) {
        if (key.equals(Desired.ALLOWED_CC) && now != null) {
            return new java.util.HashSet<>(Desired.words(now)).equals(new java.util.HashSet<>(Desired.words(want)));
        }
        return Objects.equals(now, want);
    }
}
