package io.mpsec.testbed;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names and addresses of testbed hosts and paths. Pure logic, no I/O.
 *
 * <ul>
 *   <li>Namespace: {@code mpsec-<creator pid>-<6 random chars>-<host>}; the PID lets a later run find
 *       namespaces whose creator died (aborted run) and delete them.</li>
 *   <li>Address of host {@code i} (0-based, in {@code hosts(...)} order) on path {@code p} (1-based):
 *       {@code 198.18.p.(i+1)/24}. Only the RFC 2544 benchmarking range 198.18.0.0/15 is used.</li>
 *   <li>Interface of host {@code h} on path {@code p}: {@code h + p}, e.g. {@code c1}; interface names
 *       are per namespace, so they never clash with the host's own.</li>
 * </ul>
 */
public final class AddressPlan {
    /** Every namespace the testbed creates starts with this. */
    public static final String PREFIX = "mpsec-";
    /** Prefix length of every path subnet. */
    public static final int PREFIX_LENGTH = 24;
    /** Highest path number: the third octet of 198.18.p.0/24. */
    public static final int MAX_PATHS = 255;
    /** Highest host count: host i gets .(i+1), and .255 is the broadcast address. */
    public static final int MAX_HOSTS = 254;

    private static final Pattern HOST_NAME = Pattern.compile("[a-z][a-z0-9]{0,9}");
    private static final Pattern NAMESPACE = Pattern.compile("mpsec-([0-9]{1,10})-([a-z0-9]{6})-([a-z][a-z0-9]{0,9})");
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private AddressPlan() {
    }

    /** Checks a host name: 1-10 characters, lower-case letters and digits, starting with a letter. */
    public static String checkHostName(String host) {
        if (host == null || !HOST_NAME.matcher(host).matches()) {
            throw new IllegalArgumentException("invalid testbed host name '" + host
                    + "': use 1-10 lower-case letters or digits, starting with a letter (e.g. \"c\", \"s\", \"r1\")");
        }
        return host;
    }

    /** A fresh random tag of 6 lower-case letters and digits, shared by all hosts of one topology. */
    public static String randomTag() {
        StringBuilder sb = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** The namespace name of {@code host} in the topology created by process {@code pid} with {@code tag}. */
    public static String namespaceName(long pid, String tag, String host) {
        String name = PREFIX + pid + "-" + tag + "-" + checkHostName(host);
        if (!NAMESPACE.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid namespace parts: pid " + pid + ", tag '" + tag + "'");
        }
        return name;
    }

    /** The creator PID encoded in a testbed namespace name, or empty for any other name. */
    public static OptionalLong creatorPid(String namespace) {
        Matcher m = NAMESPACE.matcher(namespace);
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    /** The interface name of {@code host} on path {@code path}. */
    public static String iface(String host, int path) {
        checkPath(path);
        return checkHostName(host) + path;
    }

    /** The IPv4 address of host number {@code hostIndex} (0-based) on path {@code path} (1-based). */
    public static Inet4Address address(int path, int hostIndex) {
        checkPath(path);
        if (hostIndex < 0 || hostIndex >= MAX_HOSTS) {
            throw new IllegalArgumentException("host index " + hostIndex + " out of range 0.." + (MAX_HOSTS - 1));
        }
        byte[] a = {(byte) 198, (byte) 18, (byte) path, (byte) (hostIndex + 1)};
        try {
            return (Inet4Address) InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new AssertionError("4-byte address rejected", e);
        }
    }

    /** The address in CIDR form for {@code ip addr add}, e.g. {@code 198.18.1.1/24}. */
    public static String cidr(int path, int hostIndex) {
        return address(path, hostIndex).getHostAddress() + "/" + PREFIX_LENGTH;
    }

    private static void checkPath(int path) {
        if (path < 1 || path > MAX_PATHS) {
            throw new IllegalArgumentException("path number " + path + " out of range 1.." + MAX_PATHS);
        }
    }
}
