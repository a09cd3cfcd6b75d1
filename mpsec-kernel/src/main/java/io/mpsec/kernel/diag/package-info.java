/**
 * sock_diag (NETLINK_SOCK_DIAG, inet_diag and mptcp_diag) for MPTCP.
 *
 * <p>{@link io.mpsec.kernel.diag.ConnectionDiag} lists every MPTCP connection of a network namespace
 * with its subflows as immutable records ({@link io.mpsec.kernel.diag.NamespaceConnections},
 * {@link io.mpsec.kernel.diag.ConnectionSnapshot}, {@link io.mpsec.kernel.diag.SubflowSnapshot}), what
 * {@code ss -Mni} and {@code ss -tni} show. {@link io.mpsec.kernel.diag.SubflowDiag} adds the backup
 * flag to the subflows of one socket. The wire classes are package-private: one request
 * ({@code InetDiagRequest}) and one reply ({@code InetDiagMsg}) class, with the constants in
 * {@link io.mpsec.kernel.diag.InetDiag}.
 */
package io.mpsec.kernel.diag;
