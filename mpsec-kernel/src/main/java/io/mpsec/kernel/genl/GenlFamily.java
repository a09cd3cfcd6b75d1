package io.mpsec.kernel.genl;

import java.util.Map;
import java.util.OptionalInt;

/**
 * A generic netlink family as the controller reports it. Ids are assigned at boot (or module load)
 * and differ between machines: always resolve them by name.
 *
 * @param name family name, for example {@code "mptcp_pm"}
 * @param id the netlink message type to use for this family
 * @param version the family's interface version
 * @param maxAttr highest attribute type the family accepts
 * @param ops command ids the running kernel implements
 * @param groups multicast group name to group id
 */
public record GenlFamily(String name, int id, int version, int maxAttr, java.util.Set<Integer> ops, Map<String, Integer> groups) {
    public GenlFamily {
        ops = java.util.Set.copyOf(ops);
        groups = Map.copyOf(groups);
    }

    /** The id of multicast group {@code name}, if the family has it. */
    public OptionalInt group(String groupName) {
        Integer g = groups.get(groupName);
        return g == null ? OptionalInt.empty() : OptionalInt.of(g);
    }

    /** Whether the running kernel implements command {@code cmd} for this family. */
    public boolean supports(int cmd) {
        return ops.contains(cmd);
    }
}
