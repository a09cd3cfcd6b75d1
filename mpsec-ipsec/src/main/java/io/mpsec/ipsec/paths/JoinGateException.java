package io.mpsec.ipsec.paths;

import java.io.IOException;

/**
 * The MPTCP join gate could not be installed, inspected or removed: the {@code nft} tool is missing or
 * too old, or it failed (its message is included). A kernel that lacks a needed nftables feature is
 * reported as {@link io.mpsec.pm.MissingKernelFeatureException} instead.
 */
public class JoinGateException extends IOException {
    private static final long serialVersionUID = 1L;

    public JoinGateException(String message) {
        super(message);
    }

    public JoinGateException(String message, Throwable cause) {
        super(message, cause);
    }
}
