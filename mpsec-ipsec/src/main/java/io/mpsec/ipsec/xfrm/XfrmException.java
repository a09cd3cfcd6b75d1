package io.mpsec.ipsec.xfrm;

import io.mpsec.kernel.netlink.NetlinkException;
import java.io.IOException;

/** An xfrm request failed; the message names the operation, the errno and the kernel's explanation. */
public class XfrmException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public XfrmException(String message, NetlinkException cause) {
        super(message, cause);
        this.errno = cause == null ? 0 : cause.errno();
    }

    /** The errno the kernel returned (0 if none). */
    public int errno() {
        return errno;
    }
}
