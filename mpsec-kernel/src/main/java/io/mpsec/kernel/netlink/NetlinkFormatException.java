package io.mpsec.kernel.netlink;

import java.io.IOException;

/**
 * Bytes that do not form a valid netlink message or attribute: a length field that points past the
 * buffer, or a typed read whose attribute has the wrong size. Seeing this from the kernel means the
 * kernel speaks a layout MPSec does not know; the message says which field was wrong.
 */
public class NetlinkFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public NetlinkFormatException(String message) {
        super(message);
    }
}
