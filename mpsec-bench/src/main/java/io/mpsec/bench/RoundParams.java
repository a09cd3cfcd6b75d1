package io.mpsec.bench;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** The round parameters shared by the benchmarks built on {@link Aggregation} rounds (JMH inherits these {@code @Param}s). */
@State(Scope.Benchmark)
public abstract class RoundParams {
    @Param({"3"})
    public int rounds;

    /** Measurement window per transfer (s). */
    @Param({"4"})
    public double seconds;

    /** Time before the window (s): connection, joins, slow start. */
    @Param({"1"})
    public double warmSeconds;
}
