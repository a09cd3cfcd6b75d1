/**
 * JMH benchmarks. MPSec measures speed as ratios within one run (two paths vs one, MPSec vs a C
 * peer), never as lone absolute times.
 *
 * <p>{@link io.mpsec.bench.DataPathBenchmark}: send and receive efficiency (bytes per CPU-second of
 * the whole process) of {@code MpsecSocket} against a C program doing blocking {@code write(2)} /
 * {@code read(2)} of 128 KiB, on an unshaped veth between two namespaces; needs root and gcc.
 *
 * <p>{@link io.mpsec.bench.FootprintBenchmark}: RSS and CPU share of the agent process (the
 * mpsec-agent -all jar, built first) watching open MPTCP connections with one dashboard open; the one
 * absolute figure, because the target is absolute (160 MB, 5% of one core).
 */
package io.mpsec.bench;
