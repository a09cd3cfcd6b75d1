// SPDX-License-Identifier: GPL-2.0
/*
 * mpsec_lia: the Linked Increases Algorithm of RFC 6356 ("Coupled Congestion Control for
 * Multipath Transport Protocols") as a BPF tcp_congestion_ops, written from the RFC.
 *
 * RFC 6356 section 3: for each ACK on subflow i that acknowledges bytes_acked, in congestion
 * avoidance, cwnd_i grows by min(alpha * bytes_acked * MSS_i / cwnd_total, bytes_acked * MSS_i / cwnd_i),
 * with
 *     alpha = cwnd_total * max_i(cwnd_i / rtt_i^2) / (sum_i cwnd_i / rtt_i)^2.
 * Counting in packets, the increase per acked packet is 1 / max(cwnd_total / alpha, cwnd_i), and
 *     cwnd_total / alpha = (sum_i cwnd_i / rtt_i)^2 / max_i(cwnd_i / rtt_i^2)
 *                        = (sum_i cwnd_i * rtt_b / rtt_i)^2 / cwnd_b   (b: the subflow with the max),
 * so tcp_cong_avoid_ai(tp, w, acked) with w = max(that, cwnd_i) is exactly the RFC increase.
 * Slow start, loss response (halving) and undo are unchanged Reno (RFC 6356 section 3: "the
 * decrease is unchanged"), taken from the kernel's Reno kfuncs.
 *
 * Coupling: all subflows of one MPTCP connection share an entry of mpsec_lia_conns keyed by the
 * MPTCP socket (msk) pointer. A subflow reaches it through tcp_sock.is_mptcp and a read-only cast of
 * icsk_ulp_data to struct mptcp_subflow_context (CO-RE; bpf_rdonly_cast needs Linux 6.2+). The kfunc
 * bpf_mptcp_sock_from_subflow is not allowed for struct_ops programs. A plain TCP socket, or a
 * subflow whose connection has no free slot, runs uncoupled Reno.
 *
 * The map value also publishes alpha (in millionths, recomputed on every ACK, in slow start too) and
 * every subflow's cwnd and RTT, so tests and tools can check the coupling from user space.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "mpsec_coupling.h"

char _license[] SEC("license") = "GPL";

#define MPSEC_LIA_SLOTS 8      /* subflows coupled per connection (MPTCP's default limit is 2, max 8) */
#define MPSEC_LIA_TRIES 8      /* attempts to join the connection's entry before staying uncoupled */
#define FIX 10                 /* fixed-point fraction bits of the weighted window sum */
#ifndef MPSEC_LIA_NAME
#define MPSEC_LIA_NAME "mpsec_lia"   /* a test fixture registers this program under another name */
#endif

extern u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;
extern u32 tcp_slow_start(struct tcp_sock *tp, u32 acked) __ksym;
extern void tcp_cong_avoid_ai(struct tcp_sock *tp, u32 w, u32 acked) __ksym;

/* The layout Java reads (CoupledCongestionControl): keep in step with LiaConnection.java. */
struct mpsec_lia_conn {
	u64 owner[MPSEC_LIA_SLOTS];   /* subflow sock pointer per slot, 0 = free */
	u32 cwnd[MPSEC_LIA_SLOTS];    /* packets */
	u32 rtt_us[MPSEC_LIA_SLOTS];  /* smoothed RTT, microseconds */
	u32 token;                    /* MPTCP connection token (as ip mptcp / ss show it) */
	u32 subflows;                 /* occupied slots */
	u64 alpha_ppm;                /* last alpha computed, in millionths */
	u64 updates;                  /* alpha computations */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, struct mpsec_lia_conn);
} mpsec_lia_conns SEC(".maps");

/* Per-subflow state in icsk_ca_priv (ICSK_CA_PRIV_SIZE, 104 bytes on 6.x). */
struct mpsec_lia_sf {
	u64 key;    /* msk pointer, 0 = not coupled */
	u32 slot;
	u32 tries;
	u32 hi;     /* largest window when a callback began (repair_skipped_callbacks) */
};

static __always_inline struct mpsec_lia_sf *sf_of(struct sock *sk)
{
	return (struct mpsec_lia_sf *)((struct inet_connection_sock *)sk)->icsk_ca_priv;
}

static __always_inline void join_connection(struct sock *sk)
{
	struct mpsec_lia_sf *sf = sf_of(sk);
	struct mpsec_lia_conn fresh = {}, *c;
	u32 token = 0, i;
	u64 key;

	if (sf->key || sf->tries >= MPSEC_LIA_TRIES)
		return;
	sf->tries++;
	key = connection_of(sk, &token);
	if (!key)
		return;
	bpf_map_update_elem(&mpsec_lia_conns, &key, &fresh, BPF_NOEXIST);
	c = bpf_map_lookup_elem(&mpsec_lia_conns, &key);
	if (!c)
		return;
	c->token = token;
	for (i = 0; i < MPSEC_LIA_SLOTS; i++) {
		if (__sync_val_compare_and_swap(&c->owner[i], 0, (u64)sk) == 0) {
			sf->key = key;
			sf->slot = i;
			__sync_fetch_and_add(&c->subflows, 1);
			return;
		}
	}
}

SEC("struct_ops/mpsec_lia_init")
void BPF_PROG(mpsec_lia_init, struct sock *sk)
{
	struct mpsec_lia_sf *sf = sf_of(sk);

	sf->key = 0;
	sf->slot = 0;
	sf->tries = 0;
	sf->hi = 0;
	join_connection(sk);
}

SEC("struct_ops/mpsec_lia_release")
void BPF_PROG(mpsec_lia_release, struct sock *sk)
{
	struct mpsec_lia_sf *sf = sf_of(sk);
	struct mpsec_lia_conn *c;
	u64 key = sf->key;
	u32 slot = sf->slot;

	if (!key)
		return;
	sf->key = 0;
	c = bpf_map_lookup_elem(&mpsec_lia_conns, &key);
	if (!c || slot >= MPSEC_LIA_SLOTS)
		return;
	c->cwnd[slot] = 0;
	c->rtt_us[slot] = 0;
	c->owner[slot] = 0;
	if (__sync_fetch_and_add(&c->subflows, -1) == 1)
		bpf_map_delete_elem(&mpsec_lia_conns, &key);
}

/*
 * The RFC 6356 window divisor max(cwnd_total / alpha, cwnd_i); also records alpha in the entry.
 * Returns cwnd_i when fewer than two subflows are known (a single path behaves like Reno).
 */
static __always_inline u32 coupled_divisor(struct mpsec_lia_conn *c, u32 cwnd_i)
{
	u64 best_c = 0, best_r = 1, total = 0, sum = 0, w;
	u32 i, n = 0;

	/* b = argmax cwnd_i / rtt_i^2, compared as cwnd_i * rtt_b^2 > cwnd_b * rtt_i^2 */
	for (i = 0; i < MPSEC_LIA_SLOTS; i++) {
		u64 ci = c->cwnd[i], ri = c->rtt_us[i];

		if (!c->owner[i] || !ci || !ri)
			continue;
		n++;
		total += ci;
		if (!best_c || ci * best_r * best_r > best_c * ri * ri) {
			best_c = ci;
			best_r = ri;
		}
	}
	if (n < 2)
		return cwnd_i;
	/* sum = 2^FIX * sum_i cwnd_i * rtt_b / rtt_i */
	for (i = 0; i < MPSEC_LIA_SLOTS; i++) {
		u64 ci = c->cwnd[i], ri = c->rtt_us[i];

		if (!c->owner[i] || !ci || !ri)
			continue;
		sum += ((ci << FIX) * best_r) / ri;
	}
	if (!sum)
		return cwnd_i;
	/* w = cwnd_total / alpha = sum^2 / cwnd_b / 2^(2*FIX) */
	if (sum < (1ULL << 31))
		w = ((sum * sum) / best_c) >> (2 * FIX);
	else
		w = ((sum >> FIX) * (sum >> FIX)) / best_c;
	/* alpha = cwnd_total / w, kept in millionths */
	c->alpha_ppm = (((total * best_c) << (2 * FIX)) / sum) * 1000000 / sum;
	__sync_fetch_and_add(&c->updates, 1);
	if (w < cwnd_i)
		return cwnd_i;
	return w > 0xffffffffULL ? 0xffffffff : (u32)w;
}

SEC("struct_ops/mpsec_lia_cong_avoid")
void BPF_PROG(mpsec_lia_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	struct mpsec_lia_sf *sf = sf_of(sk);
	struct mpsec_lia_conn *c = NULL;
	u32 slot;
	u64 key;

	join_connection(sk);
	repair_skipped_callbacks(tp, &sf->hi);
	key = sf->key;
	slot = sf->slot;
	if (key && slot < MPSEC_LIA_SLOTS) {
		c = bpf_map_lookup_elem(&mpsec_lia_conns, &key);
		if (c) {
			c->cwnd[slot] = tp->snd_cwnd;
			c->rtt_us[slot] = (tp->srtt_us >> 3) ? (tp->srtt_us >> 3) : 1;
		}
	}
	if (c && !(cwnd_limited(tp) && tp->snd_cwnd >= tp->snd_ssthresh))
		coupled_divisor(c, tp->snd_cwnd);   /* keep the published alpha current outside CA too */
	if (!cwnd_limited(tp))
		return;
	if (tp->snd_cwnd < tp->snd_ssthresh) {
		acked = tcp_slow_start(tp, acked);
		if (!acked)
			goto publish;
	}
	tcp_cong_avoid_ai(tp, c ? coupled_divisor(c, tp->snd_cwnd) : tp->snd_cwnd, acked);
publish:
	if (c && slot < MPSEC_LIA_SLOTS)
		c->cwnd[slot] = tp->snd_cwnd;
}

SEC("struct_ops/mpsec_lia_ssthresh")
u32 BPF_PROG(mpsec_lia_ssthresh, struct sock *sk)
{
	return MPSEC_SSTHRESH_RESULT(sk, tcp_reno_ssthresh(sk));
}

SEC("struct_ops/mpsec_lia_undo_cwnd")
u32 BPF_PROG(mpsec_lia_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

/* Runs first on every ACK (before PRR): repairs a garbage ssthresh or window (mpsec_coupling.h). */
SEC("struct_ops/mpsec_lia_in_ack_event")
void BPF_PROG(mpsec_lia_in_ack_event, struct sock *sk, u32 flags)
{
	repair_skipped_callbacks((struct tcp_sock *)sk, &sf_of(sk)->hi);
}

SEC(".struct_ops")
struct tcp_congestion_ops mpsec_lia = {
	.init       = (void *)mpsec_lia_init,
	.release    = (void *)mpsec_lia_release,
	.ssthresh   = (void *)mpsec_lia_ssthresh,
	.cong_avoid = (void *)mpsec_lia_cong_avoid,
	.undo_cwnd  = (void *)mpsec_lia_undo_cwnd,
	.in_ack_event = (void *)mpsec_lia_in_ack_event,
	.name       = MPSEC_LIA_NAME,
};
