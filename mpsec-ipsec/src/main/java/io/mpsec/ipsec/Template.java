package io.mpsec.ipsec;

import java.net.InetAddress;

/**
 * A transform a policy requires: ESP between two addresses, in a mode, matched to SAs through the
 * {@code reqid}. {@code required} (iproute2 {@code level required}) makes the policy fail closed:
 * traffic is dropped, never sent in clear, while no matching SA exists.
 *
 * @param source SA source address
 * @param destination SA destination address
 * @param spi SPI to match, or 0 for any SA of the reqid
 * @param reqid request id linking the policy to its SAs (0 matches any)
 * @param mode transport or tunnel
 * @param required true for {@code level required}, false for {@code level use}
 */
public record Template(InetAddress source, InetAddress destination, long spi, long reqid, Mode mode, boolean required) {
    public Template {
        if (source == null || destination == null) {
            throw new IpsecConfigException("template needs source and destination addresses");
        }
        if (source.getClass() != destination.getClass()) {
            throw new IpsecConfigException("template mixes IPv4 and IPv6: " + source.getHostAddress() + " -> "
                    + destination.getHostAddress());
        }
        if (spi < 0 || spi > 0xffffffffL) {
            throw new IpsecConfigException("template SPI must be 0 (any) or a 32-bit unsigned value, got " + spi);
        }
        if (reqid < 0 || reqid > 0xffffffffL) {
            throw new IpsecConfigException("template reqid must be a 32-bit unsigned value, got " + reqid);
        }
        if (mode == null) {
            throw new IpsecConfigException("template needs a mode (TRANSPORT or TUNNEL)");
        }
    }

    /** A required ESP transport-mode template for {@code reqid}. */
    public static Template transport(InetAddress source, InetAddress destination, long reqid) {
        return new Template(source, destination, 0, reqid, Mode.TRANSPORT, true);
    }
}
