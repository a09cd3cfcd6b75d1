package io.mpsec.ipsec.keys;

/**
 * Installing these SAs would reuse a key and SPI with a restarted sequence counter. With AES-GCM
 * that repeats IVs and breaks the cipher, so MPSec refuses; the message says how to move on (advance
 * the key generation on both hosts).
 */
public class KeyReuseException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public KeyReuseException(String message) {
        super(message);
    }
}
