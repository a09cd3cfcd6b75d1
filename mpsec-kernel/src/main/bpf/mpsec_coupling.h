/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What MPSec's coupled congestion controls (mpsec_lia, mpsec_olia, mpsec_balia, mpsec_wvegas) share:
 * finding a subflow's MPTCP connection, and the kernel's cwnd-limited test. Include after vmlinux.h and the
 * libbpf headers.
 */
#ifndef MPSEC_COUPLING_H
#define MPSEC_COUPLING_H

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/*
 * The MPTCP connection (msk pointer, the coupling key) of subflow sk, and its token; 0 for a plain
 * TCP socket. The subflow context is icsk_ulp_data, read through a read-only cast (CO-RE;
 * bpf_rdonly_cast needs Linux 6.2+), because the kfunc bpf_mptcp_sock_from_subflow is refused for
 * struct_ops programs.
 */
static __always_inline u64 connection_of(struct sock *sk, u32 *token)
{
	struct inet_connection_sock *icsk = (struct inet_connection_sock *)sk;
	struct mptcp_subflow_context *ctx;
	void *ulp;

	if (!((struct tcp_sock *)sk)->is_mptcp)
		return 0;
	ulp = icsk->icsk_ulp_data;
	if (!ulp)
		return 0;
	ctx = bpf_rdonly_cast(ulp, bpf_core_type_id_kernel(struct mptcp_subflow_context));
	*token = ctx->token;
	return (u64)ctx->conn;
}

/* tcp_is_cwnd_limited() of include/net/tcp.h, which is not a kfunc. */
static __always_inline bool cwnd_limited(struct tcp_sock *tp)
{
	if (tp->snd_cwnd < tp->snd_ssthresh)
		return tp->snd_cwnd < 2 * tp->max_packets_out;
	return !!BPF_CORE_READ_BITFIELD(tp, is_cwnd_limited);
}

/*
 * Undoes a window the kernel set far beyond anything this subflow ever had. Instrumenting mpsec_lia on
 * Linux 6.18 (a 100 Mbit/s router bottleneck with a 100-packet queue, one Reno competitor) caught the
 * window jump between two cong_avoid calls from 54 to 45,329,984 packets, with at most 28 packets acked
 * per call: the kernel set it outside the congestion control (the path was not found), and the
 * subflow then flooded the queue with its whole send buffer, again after every halving. hi is the
 * largest window this subflow had when a call began; no legitimate change between two calls goes past
 * 2 * hi + 256 (one call adds at most the packets acked; an undo restores at most an earlier window),
 * so a window beyond that is put back to hi. Call at the start of cong_avoid. Returns 1 when it undid one.
 */
static __always_inline int undo_runaway_cwnd(struct tcp_sock *tp, u32 *hi)
{
	u32 cwnd = tp->snd_cwnd;
	int undone = 0;

	if (*hi && cwnd > 2 * *hi + 256) {
		tp->snd_cwnd = *hi;
		cwnd = *hi;
		undone = 1;
	}
	if (cwnd > *hi)
		*hi = cwnd;
	return undone;
}

#endif
