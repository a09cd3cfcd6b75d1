package io.mpsec.kernel.pm;

import io.mpsec.kernel.netlink.Netlink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One golden capture from src/test/resources/golden/mptcp_pm (see capture.sh there): the iproute2
 * command line and what strace decoded of the netlink request it sent. strace prints the nlmsghdr
 * fields by name and the payload as a hex string; the type is symbolic ({@code mptcp_pm} is the
 * family id of that boot) and the sequence number is iproute2's, so tests compare length, flags
 * and payload bytes exactly and normalise seq/type.
 */
record GoldenCapture(String command, int nlmsgLen, String type, int flags, byte[] payload) {
    private static final Pattern HDR = Pattern.compile(
            "nlmsg_len=(\\d+), nlmsg_type=([a-z_0-9]+), nlmsg_flags=([A-Z_|0-9x]+), nlmsg_seq=\\d+, nlmsg_pid=\\d+\\}, \"((?:\\\\x[0-9a-f]{2})*)\"");

    static GoldenCapture load(String name) throws IOException {
        String path = "/golden/mptcp_pm/" + name + ".txt";
        String text;
        try (InputStream in = GoldenCapture.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("missing golden file " + path);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String command = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("# command: ")) {
                command = line.substring("# command: ".length());
            }
        }
        Matcher m = HDR.matcher(text);
        if (command == null || !m.find()) {
            throw new IOException(path + " has no '# command:' line or no strace netlink line");
        }
        return new GoldenCapture(command, Integer.parseInt(m.group(1)), m.group(2), flags(m.group(3)), hex(m.group(4)));
    }

    private static int flags(String s) {
        int f = 0;
        for (String part : s.split("\\|")) {
            switch (part) {
                case "NLM_F_REQUEST": f |= Netlink.NLM_F_REQUEST; break;
                case "NLM_F_ACK": f |= Netlink.NLM_F_ACK; break;
                case "NLM_F_DUMP": f |= Netlink.NLM_F_DUMP; break;
                default:
                    if (!part.startsWith("0x")) {
                        throw new IllegalArgumentException("unknown flag " + part);
                    }
                    f |= Integer.parseInt(part.substring(2), 16);
            }
        }
        return f;
    }

    private static byte[] hex(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i += 4) {
            out.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
        }
        return out.toByteArray();
    }
}
