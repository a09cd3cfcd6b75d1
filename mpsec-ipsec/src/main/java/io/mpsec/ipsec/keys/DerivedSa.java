package io.mpsec.ipsec.keys;

import io.mpsec.ipsec.SecretBytes;
import java.net.InetAddress;

/**
 * The SPI and key of one direction of one path, as derived from the master key.
 *
 * @param source SA source address
 * @param destination SA destination address
 * @param generation key generation
 * @param spi the SPI: {@code generation << 12 | flow index} (see {@link SaKeyDerivation}); never 0 nor in the reserved 1-255
 * @param key rfc4106(gcm(aes)) key and salt
 */
public record DerivedSa(InetAddress source, InetAddress destination, long generation, long spi, SecretBytes key) {
}
