// SPDX-License-Identifier: GPL-2.0
/*
 * Test fixture: a tcp_congestion_ops the verifier must reject (an unbounded index into
 * icsk_ca_priv), so tests can check that the verifier log reaches the Java exception.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

extern u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked) __ksym;

SEC("struct_ops/mpsec_rej_cong_avoid")
void BPF_PROG(mpsec_rej_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	u64 *priv = (u64 *)((struct inet_connection_sock *)sk)->icsk_ca_priv;

	priv[ack] = acked;   /* unbounded: rejected */
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops/mpsec_rej_ssthresh")
u32 BPF_PROG(mpsec_rej_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/mpsec_rej_undo_cwnd")
u32 BPF_PROG(mpsec_rej_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops mpsec_rejected = {
	.ssthresh   = (void *)mpsec_rej_ssthresh,
	.cong_avoid = (void *)mpsec_rej_cong_avoid,
	.undo_cwnd  = (void *)mpsec_rej_undo_cwnd,
	.name       = "mpsec_rejected",
};
