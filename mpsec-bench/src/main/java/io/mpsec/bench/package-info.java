/**
 * JMH benchmarks. MPSec measures speed as ratios within one run (two paths vs one, MPSec vs a C
 * peer), never as lone absolute times.
 *
 * <p>{@link io.mpsec.bench.DataPathBenchmark}: send and receive efficiency (bytes per CPU-second of
 * the whole process) of {@code MpsecSocket} against a C program doing blocking {@code write(2)} /
 * {@code read(2)} of 128 KiB, on an unshaped veth between two namespaces; needs root and gcc.
 */
package io.mpsec.bench;
