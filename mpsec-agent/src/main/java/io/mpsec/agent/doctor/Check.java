package io.mpsec.agent.doctor;

import java.util.List;

/** One configuration check of {@code mpsec-agent doctor}: reads the kernel, never changes the diagnosed namespace. */
public interface Check {
    /** A short name for the check, used when it cannot run ("rp_filter", "esp"). */
    String name();

    /** Runs the check against {@code target}; one or more findings. */
    List<Finding> run(Target target) throws Exception;
}
