package io.mpsec.pm;

import java.io.IOException;

/**
 * The running kernel lacks something MPSec was asked to use. The message names the feature, what
 * kernel provides it, and what this kernel has instead, for example: {@code "scheduler 'bpf_rr' is
 * not available: needs a kernel with the BPF MPTCP scheduler (mptcp_net-next); this kernel has:
 * [default]"}.
 */
public class MissingKernelFeatureException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String feature;
    private final String requirement;

    public MissingKernelFeatureException(String feature, String requirement, String detail, Throwable cause) {
        super(feature + " is not available: needs " + requirement + (detail == null ? "" : "; " + detail), cause);
        this.feature = feature;
        this.requirement = requirement;
    }

    public MissingKernelFeatureException(String feature, String requirement, String detail) {
        this(feature, requirement, detail, null);
    }

    /** What was asked for, e.g. {@code "scheduler 'bpf_rr'"}. */
    public String feature() {
        return feature;
    }

    /** What provides it, e.g. {@code "Linux 6.18+"}. */
    public String requirement() {
        return requirement;
    }
}
