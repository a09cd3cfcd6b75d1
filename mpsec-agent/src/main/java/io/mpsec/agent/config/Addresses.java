package io.mpsec.agent.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** IP address literals only: never a DNS lookup (the configuration is read before the network is up). */
final class Addresses {
    private static final Pattern V4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private Addresses() {
    }

    /** The address of a literal such as {@code 198.18.1.1} or {@code 2001:2::1}; empty for anything else. */
    static Optional<InetAddress> literal(String s) {
        boolean v4 = V4.matcher(s).matches();
        boolean v6 = s.contains(":") && V6.matcher(s).matches();
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            // a literal never triggers a lookup: InetAddress parses it
            return Optional.of(InetAddress.getByName(s));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code a} lies in {@code prefix/len}. */
    static boolean inPrefix(InetAddress a, InetAddress prefix, int len) {
        byte[] x = a.getAddress();
        byte[] y = prefix.getAddress();
        if (x.length != y.length) {
            return false;
        }
        for (int bit = 0; bit < len; bit++) {
            int m = 0x80 >> (bit % 8);
            if ((x[bit / 8] & m) != (y[bit / 8] & m)) {
                return false;
            }
        }
        return true;
    }
}
