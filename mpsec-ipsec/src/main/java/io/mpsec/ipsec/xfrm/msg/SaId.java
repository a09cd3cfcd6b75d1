package io.mpsec.ipsec.xfrm.msg;

import java.net.InetAddress;

/**
 * Identifies an ESP SA: source, destination and SPI.
 *
 * @param source SA source address
 * @param destination SA destination address
 * @param spi SPI (unsigned 32-bit)
 */
public record SaId(InetAddress source, InetAddress destination, long spi) {
    @Override
    public String toString() {
        return source.getHostAddress() + " -> " + destination.getHostAddress() + " spi 0x" + String.format("%08x", spi);
    }
}
