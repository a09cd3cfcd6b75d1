package io.mpsec.ipsec.keys;

import java.io.IOException;

/** A key file is missing, unsafe (readable by others) or malformed; the message says how to fix it. */
public class KeyFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public KeyFileException(String message) {
        super(message);
    }
}
