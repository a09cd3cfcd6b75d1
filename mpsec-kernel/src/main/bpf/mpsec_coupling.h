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
 * Hooks for the test fixtures of src/test/bpf, which include a program's source with these defined so
 * that a test can emulate the test host's skipped callbacks (see repair_skipped_callbacks) and run a
 * control without the repair. The shipped objects are built with the defaults.
 */
#ifndef MPSEC_SSTHRESH_RESULT
#define MPSEC_SSTHRESH_RESULT(sk, value) (value)   /* what an ssthresh callback hands the kernel */
#endif
#ifndef MPSEC_REPAIR
#define MPSEC_REPAIR 1                              /* 0: repair_skipped_callbacks does nothing */
#endif

#define MPSEC_INFINITE_SSTHRESH 0x7fffffff   /* TCP_INFINITE_SSTHRESH, include/net/tcp.h */
#define MPSEC_SANE_SSTHRESH     65536        /* no path here needs a threshold above 2^16 packets */

/*
 * How often repair_skipped_callbacks() put a value back, per object (the object's .bss map, e.g.
 * `bpftool map dump name mpsec_li.bss`).
 */
u64 mpsec_repaired_cwnd = 0;
u64 mpsec_repaired_ssthresh = 0;

/*
 * Repairs what a skipped callback left behind (issue 11, "runaway windows"). The kernel of the MPSec
 * test host (Linux 6.18.44-fc) skips every BPF program not loaded by PID 1 while the CPU runs a thread of
 * PID 1 (its __bpf_prog_enter returns 0 when current->tgid == 1 and !prog->aux->init_owned), so a
 * softirq that processes a subflow's ACK on top of such a thread runs no callback of ours. For void
 * callbacks that only loses one update; for the u32 ones (ssthresh, undo_cwnd) the x86 struct_ops
 * trampoline then returns its never-written return slot: stale stack, seen as the low 32 bits of the
 * subflow's own sock pointer. The kernel stores that in snd_ssthresh (tcp_init_cwnd_reduction,
 * tcp_enter_loss) or snd_cwnd (tcp_undo_cwnd_reduction); PRR (tcp_cwnd_reduction) and the end of
 * recovery (cwnd = ssthresh) then turn a garbage ssthresh into a window of millions of packets.
 *
 * hi is the largest window this subflow had when one of our callbacks began. No legitimate change
 * between two callbacks goes past 2 * hi + 256 (one ACK adds at most the packets it acked; an undo
 * restores at most an earlier window), and no legitimate ssthresh is above both that and 2^16 packets
 * (a threshold from the route metrics cache can be above hi, but not that far), or below 2 (Reno's
 * and every one of ours is at least 2; a zero window stalls the subflow). A garbage ssthresh is
 * put back to what Reno's ssthresh would have returned when the reduction began (prior_cwnd / 2, at
 * least 2); a garbage window to prior_cwnd (what Reno's undo restores), or to the repaired ssthresh
 * when both were garbage (the reduction then ends at ssthresh, as the kernel's would). Call at the
 * start of every callback that can run between the kernel's uses of these fields (in_ack_event runs
 * first on every ACK, before PRR). Returns a bit mask: 1 the window, 2 ssthresh was repaired.
 */
static __always_inline int repair_skipped_callbacks(struct tcp_sock *tp, u32 *hi)
{
	u32 cwnd = tp->snd_cwnd, ss = tp->snd_ssthresh, lim, base;
	int repaired = 0;

	if (!MPSEC_REPAIR)
		return 0;

	if (*hi) {
		lim = 2 * *hi + 256;
		base = tp->prior_cwnd && tp->prior_cwnd <= *hi ? tp->prior_cwnd : *hi;
		if (ss < 2 || (ss != MPSEC_INFINITE_SSTHRESH && ss > lim && ss > MPSEC_SANE_SSTHRESH)) {
			tp->snd_ssthresh = base >> 1 < 2 ? 2 : base >> 1;
			__sync_fetch_and_add(&mpsec_repaired_ssthresh, 1);
			repaired |= 2;
		}
		if (cwnd > lim || !cwnd) {
			cwnd = (repaired & 2) && base > tp->snd_ssthresh ? tp->snd_ssthresh : base;
			cwnd = cwnd < 2 ? 2 : cwnd;
			tp->snd_cwnd = cwnd;
			__sync_fetch_and_add(&mpsec_repaired_cwnd, 1);
			repaired |= 1;
		}
	}
	if (cwnd > *hi)
		*hi = cwnd;
	return repaired;
}

#endif
