package io.mpsec.kernel.genl;

import io.mpsec.kernel.netlink.NetlinkException;

/** The kernel has no generic netlink family of that name (the feature is not built or its module is not loaded). */
public class GenlFamilyNotFoundException extends NetlinkException {
    private static final long serialVersionUID = 1L;

    private final String family;

    public GenlFamilyNotFoundException(String family, NetlinkException cause) {
        super("genl CTRL_CMD_GETFAMILY " + family + " (family not registered by this kernel)", cause.errno(), cause.seq(),
                cause.extAck());
        this.family = family;
        initCause(cause);
    }

    public String family() {
        return family;
    }
}
