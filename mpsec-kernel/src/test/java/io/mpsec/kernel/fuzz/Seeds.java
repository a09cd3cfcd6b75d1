package io.mpsec.kernel.fuzz;

import io.mpsec.kernel.genl.GenericNetlink;
import io.mpsec.kernel.genl.GenlFamily;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/** Seed inputs of the mpsec-kernel fuzz targets, all taken from real captures (test resources golden/**). */
public final class Seeds {
    /** The captures in golden/replies (see capture.sh there). */
    public static final List<String> REPLIES = List.of("diag-tcp-mptcp", "genl-family-mptcp_pm", "genl-family-nlctrl",
            "pm-endpoint-dump", "pm-endpoint-get", "pm-error-add-duplicate", "pm-error-delete-missing", "pm-events-client",
            "pm-events-server", "pm-limits", "rtnl-addr-dump", "rtnl-link-dump", "rtnl-monitor");
    /** The iproute2 requests in golden/mptcp_pm. */
    public static final List<String> PM_REQUESTS = List.of("endpoint-add-signal-port", "endpoint-add-subflow-backup",
            "endpoint-add-subflow-fullmesh", "endpoint-change-backup", "endpoint-change-nobackup", "endpoint-delete",
            "endpoint-flush", "endpoint-show", "endpoint-show-id", "get-family", "limits-set", "limits-show");

    private Seeds() {
    }

    public static String reply(String name) {
        return "/golden/replies/" + name + ".txt";
    }

    /** Every datagram of every reply capture. */
    public static List<byte[]> allDatagrams() {
        List<byte[]> out = new ArrayList<>();
        for (String n : REPLIES) {
            KernelCapture.datagrams(reply(n)).forEach(d -> out.add(d.bytes()));
        }
        return out;
    }

    /** Single messages from the reply captures {@code names} whose type matches. */
    public static List<byte[]> messages(IntPredicate type, String... names) {
        List<byte[]> out = new ArrayList<>();
        for (String n : names) {
            out.addAll(KernelCapture.messages(reply(n), type));
        }
        return out;
    }

    /** The mptcp_pm family id of the boot the captures were made on (from a CTRL_CMD_NEWFAMILY reply). */
    public static int mptcpPmFamily() {
        for (byte[] m : KernelCapture.messages(reply("genl-family-mptcp_pm"), t -> t == 0x10)) {
            try {
                GenlFamily f = GenericNetlink.decodeFamily(NetlinkMessage.decodeAll(m).get(0));
                if (f.name().equals("mptcp_pm")) {
                    return f.id();
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no mptcp_pm family reply in the captures");
    }

    /** The mptcp_pm requests iproute2 sent, as netlink messages of type {@code familyId}. */
    public static List<byte[]> pmRequests(int familyId) {
        List<byte[]> out = new ArrayList<>();
        for (String n : PM_REQUESTS) {
            String text = KernelCapture.text("/golden/mptcp_pm/" + n + ".txt");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("nlmsg_type=([a-z_]+), .*?\\}, \"((?:\\\\x[0-9a-f]{2})*)\"")
                    .matcher(text);
            if (m.find() && m.group(1).equals("mptcp_pm")) {
                byte[] payload = java.util.HexFormat.of().parseHex(m.group(2).replace("\\x", ""));
                out.add(new NetlinkMessage(familyId, 0x5, 1, 0, payload).encode());
            }
        }
        return out;
    }
}
