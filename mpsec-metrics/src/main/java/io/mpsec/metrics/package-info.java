/**
 * Micrometer meters for MPSec: per-connection subflow counts and bytes, per-path throughput, and
 * IPsec SA counters. The meters arrive with the metrics issue; this module fixes the layout now.
 */
package io.mpsec.metrics;
