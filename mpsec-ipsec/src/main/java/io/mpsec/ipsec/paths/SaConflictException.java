package io.mpsec.ipsec.paths;

/**
 * An SA or policy that MPSec would install already exists in the kernel in a different form, or
 * belongs to someone else. MPSec neither keeps nor replaces it silently; the message names it and
 * says what to do. Nothing was changed when this is thrown from {@link SecurePaths#apply()}.
 */
public class SaConflictException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public SaConflictException(String message) {
        super(message);
    }
}
