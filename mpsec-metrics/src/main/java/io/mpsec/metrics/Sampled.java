package io.mpsec.metrics;

/** A binder that needs periodic work (rates, new interfaces or SAs): {@link Sampler} calls it. */
public interface Sampled {
    /** Reads the source now; registers meters for new objects and removes those of vanished ones. Never throws. */
    void sample();
}
