package io.mpsec.kernel.pm;

import io.mpsec.pm.Endpoint;
import io.mpsec.pm.EndpointFlag;
import io.mpsec.pm.Limits;
import io.mpsec.testbed.Testbed;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/** Parses iproute2's {@code ip mptcp endpoint show} / {@code limits show} output: the independent view for ITs. */
final class IpMptcp {
    private IpMptcp() {
    }

    /** Lines like {@code 198.18.2.1 id 5 subflow backup dev c2 } or {@code 198.18.1.1 port 10000 id 1 signal}. */
    static List<Endpoint> endpoints(Testbed.Host h) throws Exception {
        List<Endpoint> out = new ArrayList<>();
        for (String line : h.execOk("ip", "mptcp", "endpoint", "show").stdout().split("\n")) {
            String[] t = line.trim().split("\\s+");
            if (t.length == 0 || t[0].isEmpty()) {
                continue;
            }
            InetAddress addr = InetAddress.getByName(t[0]);
            int id = 0;
            int port = 0;
            int ifIndex = 0;
            EnumSet<EndpointFlag> flags = EnumSet.noneOf(EndpointFlag.class);
            for (int i = 1; i < t.length; i++) {
                switch (t[i]) {
                    case "id": id = Integer.parseInt(t[++i]); break;
                    case "port": port = Integer.parseInt(t[++i]); break;
                    case "dev": ifIndex = ifIndex(h, t[++i]); break;
                    case "rawflags": // iproute2 6.1 prints flags it does not know in hex
                        flags.addAll(EndpointFlags.flags(Integer.parseInt(t[++i], 16)));
                        break;
                    default:
                        if (t[i].startsWith("unknown") || t[i].startsWith("0x")) {
                            throw new AssertionError("iproute2 printed an unknown flag: " + line);
                        }
                        flags.add(EndpointFlag.valueOf(t[i].toUpperCase(Locale.ROOT)));
                }
            }
            out.add(new Endpoint(id, addr, port, flags, ifIndex));
        }
        return out;
    }

    static int ifIndex(Testbed.Host h, String dev) {
        return Integer.parseInt(h.execOk("cat", "/sys/class/net/" + dev + "/ifindex").stdout().trim());
    }

    /** {@code add_addr_accepted 3 subflows 4}. */
    static Limits limits(Testbed.Host h) {
        String[] t = h.execOk("ip", "mptcp", "limits", "show").stdout().trim().split("\\s+");
        int subflows = -1;
        int accepted = -1;
        for (int i = 0; i + 1 < t.length; i += 2) {
            if (t[i].equals("subflows")) {
                subflows = Integer.parseInt(t[i + 1]);
            } else if (t[i].equals("add_addr_accepted")) {
                accepted = Integer.parseInt(t[i + 1]);
            }
        }
        return new Limits(subflows, accepted);
    }
}
