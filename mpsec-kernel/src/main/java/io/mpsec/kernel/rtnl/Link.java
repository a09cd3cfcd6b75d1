package io.mpsec.kernel.rtnl;

/**
 * A network interface as rtnetlink reports it.
 *
 * @param index interface index
 * @param name interface name
 * @param flags IFF_* flags
 */
public record Link(int index, String name, int flags) {
    /** Administratively up (IFF_UP). */
    public boolean adminUp() {
        return (flags & Rtnl.IFF_UP) != 0;
    }

    /** Up with carrier (IFF_UP and IFF_LOWER_UP): able to carry traffic. */
    public boolean up() {
        return adminUp() && (flags & Rtnl.IFF_LOWER_UP) != 0;
    }
}
