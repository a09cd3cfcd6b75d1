/**
 * JMH benchmarks. MPSec measures speed as ratios within one run (two paths vs one, MPSec vs a C
 * peer), never as lone absolute times. The benchmarks arrive with the benchmarks issue.
 */
package io.mpsec.bench;
