package io.mpsec.kernel.pm.strategy;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Local address ids handed to the userspace path manager: stable per address, 1..255. MPTCP address
 * ids are 8 bits on the wire ({@code MPTCP_PM_ADDR_ATTR_ID} is a u8 in include/uapi/linux/mptcp.h,
 * Linux 6.18) and id 0 belongs to the initial subflow's address.
 */
final class LocalIds {
    static final int MAX = 255;
    private final Map<InetAddress, Integer> ids = new HashMap<>();

    synchronized int idFor(InetAddress address) {
        Integer id = ids.get(address);
        if (id == null) {
            if (ids.size() >= MAX) {
                throw new IllegalStateException("no free MPTCP local address id for " + address.getHostAddress()
                        + ": ids are 8-bit and all " + MAX + " are in use by this strategy runner");
            }
            id = ids.size() + 1;
            ids.put(address, id);
        }
        return id;
    }
}
