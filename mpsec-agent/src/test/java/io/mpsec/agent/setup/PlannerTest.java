package io.mpsec.agent.setup;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.agent.config.SecurePathsSettings;
import io.mpsec.agent.setup.NetState.EndpointEntry;
import io.mpsec.agent.setup.NetState.Limits;
import io.mpsec.agent.setup.NetState.PolicyEntry;
import io.mpsec.agent.setup.NetState.RouteEntry;
import io.mpsec.agent.setup.NetState.RuleEntry;
import io.mpsec.agent.setup.NetState.SecureEntry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plan as pure logic: what differs becomes a change, in apply order; equal states give no plan. */
class PlannerTest {
    private static final RouteEntry SUBNET = new RouteEntry("198.18.2.0/24", null, "pc12", "link", "198.18.2.1", null, 0);
    private static final EndpointEntry EP = new EndpointEntry(2, "198.18.2.1", List.of("subflow"), "pc12");

    private static NetState state(Map<String, String> sysctls, Limits limits, List<EndpointEntry> eps, List<RuleEntry> rules,
            Map<Long, List<RouteEntry>> routes) {
        return new NetState(sysctls, limits, eps, rules, routes, null);
    }

    private static List<String> diff(List<Change> plan) {
        return plan.stream().flatMap(c -> c.diff().stream()).toList();
    }

    @Test
    void equalStatesGiveNoChanges() {
        NetState s = state(Map.of("net.mptcp.enabled", "1"), new Limits(2, 2), List.of(EP),
                List.of(new RuleEntry(1000, "198.18.2.1", 102)), Map.of(102L, List.of(SUBNET)));
        assertThat(Planner.plan(s, s, SecurePathsSettings.disabled())).isEmpty();
        assertThat(Planner.plan(s, s, null)).as("undo").isEmpty();
    }

    @Test
    void differencesBecomeChangesInApplyOrder() {
        Map<String, String> now = new LinkedHashMap<>();
        now.put("net.ipv4.tcp_congestion_control", "bbr");
        now.put("net.ipv4.tcp_allowed_congestion_control", "reno bbr");
        now.put("net.mptcp.enabled", "0");
        Map<String, String> want = new LinkedHashMap<>();
        want.put("net.ipv4.tcp_congestion_control", "cubic");
        want.put("net.ipv4.tcp_allowed_congestion_control", "reno bbr cubic");
        want.put("net.mptcp.enabled", "1");
        EndpointEntry old = new EndpointEntry(2, "198.18.2.1", List.of("signal"), "pc12");
        NetState current = state(now, new Limits(0, 0), List.of(old), List.of(new RuleEntry(1000, "198.18.2.1", 7)),
                Map.of(102L, List.of()));
        NetState desired = state(want, new Limits(2, 2), List.of(new EndpointEntry(0, "198.18.2.1", List.of("subflow"), "pc12")),
                List.of(new RuleEntry(1000, "198.18.2.1", 102)), Map.of(102L, List.of(SUBNET)));
        assertThat(diff(Planner.plan(current, desired, SecurePathsSettings.disabled()))).containsExactly(
                "- sysctl net.mptcp.enabled = 0", "+ sysctl net.mptcp.enabled = 1",
                "- sysctl net.ipv4.tcp_allowed_congestion_control = reno bbr",
                "+ sysctl net.ipv4.tcp_allowed_congestion_control = reno bbr cubic  (host-wide)",
                "- sysctl net.ipv4.tcp_congestion_control = bbr", "+ sysctl net.ipv4.tcp_congestion_control = cubic",
                "- mptcp limits subflows 0 add_addr_accepted 0", "+ mptcp limits subflows 2 add_addr_accepted 2",
                "- mptcp endpoint 198.18.2.1 id 2 dev pc12 signal", "+ mptcp endpoint 198.18.2.1 dev pc12 subflow",
                "+ ip route table 102 198.18.2.0/24 dev pc12 scope link src 198.18.2.1",
                "- ip rule pref 1000 from 198.18.2.1 lookup 7", "+ ip rule pref 1000 from 198.18.2.1 lookup 102");
    }

    @Test
    void kernelChosenIdAndAllowedListOrderAreNotDifferences() {
        NetState current = state(Map.of("net.ipv4.tcp_allowed_congestion_control", "reno cubic bbr"), null, List.of(EP),
                List.of(), Map.of());
        NetState desired = state(Map.of("net.ipv4.tcp_allowed_congestion_control", "reno bbr cubic"), null,
                List.of(new EndpointEntry(0, "198.18.2.1", List.of("subflow"), "pc12")), List.of(), Map.of());
        assertThat(Planner.plan(current, desired, SecurePathsSettings.disabled())).isEmpty();
    }

    @Test
    void undoBackToClearIsFlaggedAndComesLast() {
        PolicyEntry block = new PolicyEntry("OUT", "198.18.1.1", "198.18.1.2", 0x6d70, "BLOCK", List.of());
        SecureEntry now = new SecureEntry(false, List.of(block), true, List.of("198.18.1.1"), List.of("198.18.1.2"));
        SecureEntry before = new SecureEntry(false, List.of(), false, List.of("198.18.1.1"), List.of("198.18.1.2"));
        NetState current = new NetState(Map.of("net.mptcp.enabled", "1"), null, List.of(), List.of(), Map.of(), now);
        NetState snapshot = new NetState(Map.of("net.mptcp.enabled", "0"), null, List.of(), List.of(), Map.of(), before);
        List<Change> plan = Planner.plan(current, snapshot, null);
        assertThat(plan).hasSize(2);
        assertThat(plan.get(1)).isInstanceOf(SecureRestoreChange.class);
        assertThat(((SecureRestoreChange) plan.get(1)).opensClear()).isTrue();
        assertThat(diff(plan)).contains("+ xfrm policy out 198.18.1.1 -> 198.18.1.2: none (cleartext)",
                "- nftables table inet mpsec_gate (MPTCP join gate)");
    }

    @Test
    void protectedPeersWithoutTheJoinGateGetItBack() {
        SecureEntry now = new SecureEntry(true, List.of(), false, List.of("198.18.1.1"), List.of("198.18.1.2"));
        SecureEntry want = new SecureEntry(true, List.of(), true, List.of("198.18.1.1"), List.of("198.18.1.2"));
        NetState current = new NetState(Map.of(), null, List.of(), List.of(), Map.of(), now);
        NetState desired = new NetState(Map.of(), null, List.of(), List.of(), Map.of(), want);
        assertThat(Planner.plan(current, desired, SecurePathsSettings.disabled())).containsExactly(new GateChange());
        NetState gated = new NetState(Map.of(), null, List.of(), List.of(), Map.of(), want);
        assertThat(Planner.plan(gated, desired, SecurePathsSettings.disabled())).as("protected and gated: nothing").isEmpty();
    }

    @Test
    void capEffIsParsed() {
        assertThat(Privileges.effective("Name:\tx\nCapEff:\t000001ffffffffff\n") & (1L << Privileges.CAP_NET_ADMIN)).isNotZero();
        assertThat(Privileges.effective("CapEff:\t0000000000000000\n")).isZero();
    }

    @Test
    void subnetOfAnAddress() {
        assertThat(Desired.subnet(io.mpsec.agent.config.ConfigTestAccess.address("198.18.2.77"), 24)).isEqualTo("198.18.2.0/24");
        assertThat(Desired.subnet(io.mpsec.agent.config.ConfigTestAccess.address("2001:2::1:5"), 64)).isEqualTo("2001:2:0:0:0:0:0:0/64");
    }
}
