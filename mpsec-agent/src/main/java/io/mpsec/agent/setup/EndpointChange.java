package io.mpsec.agent.setup;

import io.mpsec.agent.setup.NetState.EndpointEntry;
import io.mpsec.pm.Endpoint;
import io.mpsec.pm.EndpointFlag;
import java.io.IOException;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Adds or deletes one MPTCP endpoint over the mptcp_pm generic netlink family (ADD_ADDR / DEL_ADDR).
 * A replaced endpoint is a delete followed by an add.
 */
record EndpointChange(boolean add, EndpointEntry entry) implements Change {
    @Override
    public List<String> diff() {
        return List.of((add ? "+ " : "- ") + entry);
    }

    @Override
    public void apply(Target t) throws IOException {
        if (add) {
            create(t, entry);
        } else {
            delete(t, entry);
        }
    }

    @Override
    public void revert(Target t) throws IOException {
        if (add) {
            delete(t, entry);
        } else {
            create(t, entry);
        }
    }

    private static void create(Target t, EndpointEntry e) throws IOException {
        Set<EndpointFlag> flags = EnumSet.noneOf(EndpointFlag.class);
        e.flags().forEach(f -> flags.add(EndpointFlag.valueOf(f.toUpperCase(Locale.ROOT))));
        int ifIndex = 0;
        if (e.dev() != null) {
            ifIndex = t.link(e.dev()).orElseThrow(() -> new IOException("interface " + e.dev() + " of endpoint " + e.address()
                    + " is gone")).index();
        }
        t.pm().addEndpoint(new Endpoint(e.id(), InetAddress.getByName(e.address()), 0, flags, ifIndex));
    }

    /** Deletes the endpoint on the entry's address (whatever id the kernel gave it). */
    private static void delete(Target t, EndpointEntry e) throws IOException {
        InetAddress a = InetAddress.getByName(e.address());
        for (Endpoint x : t.pm().endpoints()) {
            if (x.address().equals(a) && (e.id() == 0 || x.id() == e.id())) {
                t.pm().deleteEndpoint(x.id());
                return;
            }
        }
    }
}
