package io.mpsec.ipsec.xfrm;

import io.mpsec.kernel.netlink.NetlinkException;

/**
 * The running kernel cannot install ESP SAs: it was built without {@code CONFIG_INET_ESP} /
 * {@code CONFIG_INET6_ESP} (modules esp4/esp6) or without the crypto the SA needs (gcm, authenc).
 * The kernel answers NEWSA with ENOSYS or EPROTONOSUPPORT ("Requested type not found", "Requested
 * AEAD algorithm not found").
 */
public class EspUnsupportedException extends XfrmException {
    private static final long serialVersionUID = 1L;

    public EspUnsupportedException(String op, NetlinkException cause) {
        super("this kernel has no ESP support (CONFIG_INET_ESP/CONFIG_INET6_ESP, or the crypto modules for the "
                + "algorithm, e.g. gcm and authenc, are missing): " + cause.getMessage() + ". Use a kernel with esp4/esp6 "
                + "and AES-GCM, for example Debian's linux-image-amd64 (MPSec's kernel lane runs ESP tests in one), "
                + "or load them with 'modprobe esp4 esp6 gcm authenc'", cause);
    }
}
