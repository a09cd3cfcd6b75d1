package io.mpsec.ipsec.inspect;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The configured peers whose traffic is counted and inspected: this host's addresses and the remote
 * host's, IPv4 and IPv6 mixed. Only packets from a local to a remote address (out) or from a remote
 * to a local address (in) are counted; traffic to any other host (an SSH session to a build server,
 * DNS) never is.
 *
 * @param local this host's configured addresses
 * @param remote the peer's configured addresses
 */
public record PeerAddresses(Set<InetAddress> local, Set<InetAddress> remote) {
    /** Validates: both sides non-empty, no wildcard or multicast address, no address on both sides. */
    public PeerAddresses {
        local = check("local", local);
        remote = check("remote", remote);
        for (InetAddress a : local) {
            if (remote.contains(a)) {
                throw new IllegalArgumentException(a.getHostAddress() + " is both a local and a remote peer address; "
                        + "give this host's addresses as local and the peer's as remote");
            }
        }
    }

    /** The peers of {@code local} and {@code remote}. */
    public static PeerAddresses of(Collection<? extends InetAddress> local, Collection<? extends InetAddress> remote) {
        return new PeerAddresses(local == null ? null : new LinkedHashSet<>(local),
                remote == null ? null : new LinkedHashSet<>(remote));
    }

    private static Set<InetAddress> check(String side, Set<InetAddress> in) {
        if (in == null || in.isEmpty()) {
            throw new IllegalArgumentException("no " + side + " peer address given; give at least one " + side
                    + " address (IPv4 or IPv6) of the configured secure paths");
        }
        for (InetAddress a : in) {
            if (a == null) {
                throw new IllegalArgumentException("a " + side + " peer address is null");
            }
            if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
                throw new IllegalArgumentException(side + " peer address " + a.getHostAddress()
                        + " is a wildcard or multicast address; give the unicast addresses of the secure paths");
            }
        }
        return Set.copyOf(new LinkedHashSet<>(in));
    }

    /** The local IPv4 addresses, as nft writes them. */
    Set<String> local4() {
        return text(local, Inet4Address.class);
    }

    Set<String> remote4() {
        return text(remote, Inet4Address.class);
    }

    Set<String> local6() {
        return text(local, Inet6Address.class);
    }

    Set<String> remote6() {
        return text(remote, Inet6Address.class);
    }

    private static Set<String> text(Set<InetAddress> s, Class<? extends InetAddress> family) {
        return s.stream().filter(family::isInstance).map(PeerAddresses::bare)
                .sorted().collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** The address without a scope id (nft and BPF filters take the bare address). */
    static String bare(InetAddress a) {
        String h = a.getHostAddress();
        int pct = h.indexOf('%');
        return pct < 0 ? h : h.substring(0, pct);
    }
}
