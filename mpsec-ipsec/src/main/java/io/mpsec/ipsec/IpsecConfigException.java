package io.mpsec.ipsec;

/**
 * An SA, policy or secure-path configuration is invalid. Thrown by builders before anything reaches
 * the kernel; the message says what is wrong and how to fix it.
 */
public class IpsecConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public IpsecConfigException(String message) {
        super(message);
    }
}
