package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.kernel.netlink.NetlinkMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A message captured from iproute2 with strace (src/test/resources/golden/xfrm/*.txt, made by
 * capture.sh there): the command line, then the strace line of its sendmsg. Sequence number and
 * port id are normalised to 0.
 */
record Golden(String command, int type, int flags, byte[] payload) {
    private static final Pattern HDR = Pattern.compile("nlmsg_len=(\\d+), nlmsg_type=0x([0-9a-f]+), nlmsg_flags=0x([0-9a-f]+)");
    private static final Pattern BODY = Pattern.compile("\\}, \"((?:\\\\x[0-9a-f]{2})*)\"");

    static Golden load(String name) throws IOException {
        String text;
        try (InputStream in = Golden.class.getResourceAsStream("/golden/xfrm/" + name + ".txt")) {
            if (in == null) {
                throw new IOException("missing golden file " + name);
            }
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        String command = text.lines().filter(l -> l.startsWith("# command: ")).findFirst()
                .orElseThrow().substring("# command: ".length());
        Matcher h = HDR.matcher(text);
        if (!h.find()) {
            throw new IOException("no nlmsghdr in golden file " + name);
        }
        int len = Integer.parseInt(h.group(1));
        Matcher b = BODY.matcher(text);
        byte[] payload = b.find() ? HexFormat.of().parseHex(b.group(1).replace("\\x", "")) : new byte[0];
        if (payload.length != len - 16) {
            throw new IOException("golden " + name + ": payload " + payload.length + " bytes, nlmsg_len says " + (len - 16));
        }
        return new Golden(command, Integer.parseInt(h.group(2), 16), Integer.parseInt(h.group(3), 16), payload);
    }

    NetlinkMessage message() {
        return new NetlinkMessage(type, flags, 0, 0, payload);
    }

    /** {@code m} with seq and pid zeroed, as bytes, for comparison with {@link #message()}. */
    static String normalised(NetlinkMessage m) {
        return HexFormat.of().formatHex(m.withSeqAndPid(0, 0).encode());
    }
}
