package io.mpsec.agent.http;

import java.io.IOException;

/** The token file is missing, unsafe or malformed; the message says what to do. It never holds the token. */
public final class TokenFileException extends IOException {
    private static final long serialVersionUID = 1L;

    /** With a message that says what was wrong and what to do. */
    public TokenFileException(String message) {
        super(message);
    }
}
