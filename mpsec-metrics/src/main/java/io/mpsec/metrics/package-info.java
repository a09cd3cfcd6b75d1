/**
 * Micrometer meters for MPSec: per-interface counters and rates (rtnetlink link stats64), the MPTCP
 * MIB (MPTcpExt) and xfrm_stat counters per namespace ({@link io.mpsec.metrics.NamespaceMetrics}),
 * per-SA usage of MPSec's own SAs ({@link io.mpsec.metrics.SaMetrics}), AutoRekey health
 * ({@link io.mpsec.metrics.RekeyMetrics}), join gate drops ({@link io.mpsec.metrics.JoinGateMetrics}),
 * MPTCP connections and subflows per namespace ({@link io.mpsec.metrics.ConnectionMetrics}) and this
 * JVM's MPSec sockets ({@link io.mpsec.metrics.MpsecSocketMetrics}).
 * The series, tags and cardinality are listed in the module's README.md.
 */
package io.mpsec.metrics;
