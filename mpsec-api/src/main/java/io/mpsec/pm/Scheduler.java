package io.mpsec.pm;

import java.util.List;
import java.util.Objects;

/**
 * The MPTCP packet scheduler of a namespace ({@code net.mptcp.scheduler}, Linux 6.6+).
 *
 * <p>The original MPTCP choices map onto kernel schedulers as follows: {@link #DEFAULT} is the
 * kernel's {@code default}; {@link #ROUNDROBIN} and {@link #REDUNDANT} are the BPF schedulers
 * {@code bpf_rr} and {@code bpf_red}, which only kernels with BPF MPTCP scheduler support list
 * (mptcp_net-next). {@link #named(String)} selects any scheduler the kernel lists. Choosing one the
 * kernel does not list fails with {@link MissingKernelFeatureException} naming what it has.
 */
public final class Scheduler {
    public static final Scheduler DEFAULT = new Scheduler("default", List.of("default"));
    public static final Scheduler ROUNDROBIN = new Scheduler("roundrobin", List.of("bpf_rr", "roundrobin"));
    public static final Scheduler REDUNDANT = new Scheduler("redundant", List.of("bpf_red", "redundant"));

    private final String name;
    private final List<String> kernelNames;

    private Scheduler(String name, List<String> kernelNames) {
        this.name = name;
        this.kernelNames = kernelNames;
    }

    /** A scheduler by its kernel name, e.g. {@code "default"} or {@code "bpf_burst"}. */
    public static Scheduler named(String kernelName) {
        Objects.requireNonNull(kernelName, "kernelName");
        if (!kernelName.matches("[A-Za-z0-9_]{1,15}")) {
            throw new IllegalArgumentException("invalid scheduler name '" + kernelName + "' (1-15 letters, digits or _)");
        }
        switch (kernelName) {
            case "default": return DEFAULT;
            case "roundrobin": return ROUNDROBIN;
            case "redundant": return REDUNDANT;
            default: return new Scheduler(kernelName, List.of(kernelName));
        }
    }

    /** The MPSec name. */
    public String name() {
        return name;
    }

    /** Kernel scheduler names that implement this choice, preferred first. */
    public List<String> kernelNames() {
        return kernelNames;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Scheduler && ((Scheduler) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
