package io.mpsec.agent.setup;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The items of one network namespace that setup manages, as plain values: the desired state computed
 * from the configuration, the current state read from the kernel for the same items, and the
 * snapshot saved before a run (written as JSON; {@code --undo} makes it the desired state).
 *
 * @param sysctls   sysctl key to value; {@code null} value: the key does not exist
 * @param limits    the MPTCP limits, or {@code null} when not managed
 * @param endpoints MPTCP endpoints on the managed addresses and ids
 * @param rules     policy routing rules on the managed addresses and tables
 * @param routes    the content of every managed routing table
 * @param secure    the xfrm policies on the secure paths' selectors, or {@code null} when not managed
 */
public record NetState(Map<String, String> sysctls, Limits limits, List<EndpointEntry> endpoints, List<RuleEntry> rules,
        Map<Long, List<RouteEntry>> routes, SecureEntry secure) {
    public NetState {
        sysctls = sysctls == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(sysctls));
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        rules = rules == null ? List.of() : List.copyOf(rules);
        routes = routes == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(routes));
    }

    /** {@code ip mptcp limits}. */
    public record Limits(int subflows, int addAddrAccepted) {
        @Override
        public String toString() {
            return "subflows " + subflows + " add_addr_accepted " + addAddrAccepted;
        }
    }

    /**
     * An MPTCP endpoint.
     *
     * @param id      1..255; 0 in a desired state: any id the kernel picks
     * @param address the address
     * @param flags   lower-case flag names, sorted
     * @param dev     the interface, or {@code null}
     */
    public record EndpointEntry(int id, String address, List<String> flags, String dev) {
        public EndpointEntry {
            flags = flags.stream().sorted().toList();
        }

        /** Whether {@code actual} (read from the kernel) satisfies this desired endpoint. */
        boolean satisfiedBy(EndpointEntry actual) {
            return address.equals(actual.address) && flags.equals(actual.flags) && (id == 0 || id == actual.id)
                    && java.util.Objects.equals(dev, actual.dev);
        }

        @Override
        public String toString() {
            return "mptcp endpoint " + address + (id == 0 ? "" : " id " + id) + (dev == null ? "" : " dev " + dev)
                    + (flags.isEmpty() ? "" : " " + String.join(" ", flags));
        }
    }

    /** {@code ip rule add from FROM lookup TABLE pref PREF}. */
    public record RuleEntry(int pref, String from, long table) {
        @Override
        public String toString() {
            return "ip rule pref " + pref + " from " + from + " lookup " + table;
        }
    }

    /**
     * A route in a managed table.
     *
     * @param dst      {@code default} or PREFIX/LEN
     * @param gateway  the next hop, or {@code null}
     * @param dev      the interface
     * @param scope    e.g. {@code link}, or {@code null} (global)
     * @param prefsrc  the preferred source, or {@code null}
     * @param protocol e.g. {@code static}, or {@code null} (boot)
     * @param metric   0 when none
     */
    public record RouteEntry(String dst, String gateway, String dev, String scope, String prefsrc, String protocol, long metric) {
        /** Whether two routes are the same for setup: protocol is not compared. */
        boolean sameAs(RouteEntry o) {
            return dst.equals(o.dst) && java.util.Objects.equals(gateway, o.gateway) && java.util.Objects.equals(dev, o.dev)
                    && java.util.Objects.equals(scope, o.scope) && java.util.Objects.equals(prefsrc, o.prefsrc) && metric == o.metric;
        }

        /** The arguments of {@code ip route replace} (without the table). */
        List<String> args() {
            List<String> a = new java.util.ArrayList<>(List.of(dst));
            if (gateway != null) {
                a.addAll(List.of("via", gateway));
            }
            if (dev != null) {
                a.addAll(List.of("dev", dev));
            }
            if (scope != null) {
                a.addAll(List.of("scope", scope));
            }
            if (prefsrc != null) {
                a.addAll(List.of("src", prefsrc));
            }
            if (protocol != null) {
                a.addAll(List.of("proto", protocol));
            }
            if (metric != 0) {
                a.addAll(List.of("metric", Long.toString(metric)));
            }
            return a;
        }

        @Override
        public String toString() {
            return String.join(" ", args());
        }
    }

    /**
     * The secure paths' state.
     *
     * @param peersProtected in a desired state: MPSec's ESP policies and SAs on every pair (a run of
     *                       SecurePaths.apply); in a current state: whether that is what the kernel holds
     * @param policies       the policies on the pairs' selectors (exact, for a snapshot)
     * @param joinGate       whether the nftables join gate table exists
     * @param local          this host's addresses (to rebuild SecurePaths for an undo)
     * @param remote         the peer's addresses
     */
    public record SecureEntry(boolean peersProtected, List<PolicyEntry> policies, boolean joinGate, List<String> local,
            List<String> remote) {
        public SecureEntry {
            policies = List.copyOf(policies);
            local = List.copyOf(local);
            remote = List.copyOf(remote);
        }
    }

    /** An xfrm policy, with enough detail to put it back exactly. */
    public record PolicyEntry(String direction, String source, String destination, long priority, String action,
            List<TemplateEntry> templates) {
        public PolicyEntry {
            templates = List.copyOf(templates);
        }

        @Override
        public String toString() {
            String t = templates.isEmpty() ? "" : " " + templates.stream().map(TemplateEntry::toString)
                    .collect(java.util.stream.Collectors.joining(", "));
            return "xfrm policy " + direction.toLowerCase(java.util.Locale.ROOT) + " " + source + " -> " + destination
                    + " priority " + priority + " " + action.toLowerCase(java.util.Locale.ROOT) + t;
        }
    }

    /** An xfrm policy template. */
    public record TemplateEntry(String source, String destination, long spi, long reqid, String mode, boolean required) {
        @Override
        public String toString() {
            return "esp " + mode.toLowerCase(java.util.Locale.ROOT) + " reqid 0x" + Long.toHexString(reqid)
                    + (required ? " level required" : " level use");
        }
    }
}
