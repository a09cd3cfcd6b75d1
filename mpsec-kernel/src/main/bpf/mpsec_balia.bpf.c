// SPDX-License-Identifier: GPL-2.0
/*
 * mpsec_balia: the Balanced Linked Adaptation algorithm as a BPF tcp_congestion_ops, written from
 * Peng, Walid, Hwang, Low, "Multipath TCP: Analysis, Design, and Implementation" (IEEE/ACM ToN 24(1),
 * 2016) and draft-walid-mptcp-congestion-control.
 *
 * With x_k = w_k / rtt_k the rate of path k and alpha_r = max_k x_k / x_r (>= 1):
 *   - for each ACK on path r, in congestion avoidance, w_r grows by
 *         x_r / (rtt_r (sum_k x_k)^2) * (1 + alpha_r) / 2 * (4 + alpha_r) / 5   (packets per acked packet)
 *   - for each loss on path r, w_r shrinks by w_r / 2 * min(alpha_r, 1.5).
 * x_r / (rtt_r (sum_k x_k)^2) = (w_r / rtt_r^2) / (sum_k w_k / rtt_k)^2 = w_r / D_r^2 with
 * D_r = sum_k w_k * rtt_r / rtt_k (in packets), computed in fixed point as in mpsec_olia. A single
 * path has alpha = 1 and D_r = w_r: plain Reno (1/w per ACK, halving on loss).
 *
 * The increase is accumulated per subflow in 2^-SCALE packets (icsk_ca_priv) and applied in whole
 * packets, never above snd_cwnd_clamp. alpha_r is kept in 2^-AFIX and capped at ALPHA_MAX (a path
 * slower than 1/1024 of the fastest) to keep the arithmetic in 64 bits. The decreased window (the
 * ssthresh returned) is at least 2 packets. Slow start and undo are the kernel's Reno kfuncs.
 *
 * Coupling as in mpsec_lia: the subflows of one MPTCP connection share an entry of mpsec_balia_conns
 * keyed by the MPTCP socket (msk) pointer (tcp_sock.is_mptcp, a read-only cast of icsk_ulp_data to
 * struct mptcp_subflow_context; bpf_rdonly_cast needs Linux 6.2+). A plain TCP socket, or a subflow
 * whose connection has no free slot, runs uncoupled Reno.
 *
 * The map value publishes each subflow's window, RTT, local port, alpha_r and loss count, recomputed
 * on every ACK, so tests and tools can check the algorithm from user space.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "mpsec_coupling.h"

char _license[] SEC("license") = "GPL";

#define MPSEC_BALIA_SLOTS 8    /* subflows coupled per connection (MPTCP's default limit is 2, max 8) */
#define MPSEC_BALIA_TRIES 8    /* attempts to join the connection's entry before staying uncoupled */
#define FIX 10                 /* fixed-point fraction bits of D_r */
#define SCALE 20               /* fixed-point fraction bits of the per-packet increase */
#define AFIX 10                /* fixed-point fraction bits of alpha_r */
#define ALPHA_MAX (1024ULL << AFIX)

extern u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;
extern u32 tcp_slow_start(struct tcp_sock *tp, u32 acked) __ksym;

/* The layout Java reads (BaliaConnection.java): keep in step. 248 bytes, no padding. */
struct mpsec_balia_conn {
	u64 owner[MPSEC_BALIA_SLOTS];      /* subflow sock pointer per slot, 0 = free */
	u32 cwnd[MPSEC_BALIA_SLOTS];       /* packets */
	u32 rtt_us[MPSEC_BALIA_SLOTS];     /* smoothed RTT, microseconds */
	u32 sport[MPSEC_BALIA_SLOTS];      /* local port, host order (to match ss) */
	u32 alpha[MPSEC_BALIA_SLOTS];      /* alpha_r in 2^-AFIX (1024 = 1.0), 0 = not computed */
	u32 losses[MPSEC_BALIA_SLOTS];     /* loss events (ssthresh calls) */
	u32 token;                         /* MPTCP connection token */
	u32 subflows;                      /* occupied slots */
	u64 max_rate;                      /* max_k x_k, packets per 2^-20 microseconds */
	u64 updates;                       /* alpha computations */
};
_Static_assert(sizeof(struct mpsec_balia_conn) == 248, "BaliaConnection.SIZE");
_Static_assert(__builtin_offsetof(struct mpsec_balia_conn, token) == 224, "BaliaConnection offsets");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, struct mpsec_balia_conn);
} mpsec_balia_conns SEC(".maps");

/* A zeroed entry to insert; never written. */
static const struct mpsec_balia_conn fresh_conn = {};

/* Per-subflow state in icsk_ca_priv (ICSK_CA_PRIV_SIZE, 104 bytes on 6.x). */
struct mpsec_balia_sf {
	u64 key;    /* msk pointer, 0 = not coupled */
	u64 acc;    /* pending window increase, 2^-SCALE packets */
	u32 slot;
	u32 tries;
	u32 hi;     /* largest window when a callback began (repair_skipped_callbacks) */
};

static __always_inline struct mpsec_balia_sf *sf_of(struct sock *sk)
{
	return (struct mpsec_balia_sf *)((struct inet_connection_sock *)sk)->icsk_ca_priv;
}

static __always_inline void join_connection(struct sock *sk)
{
	struct mpsec_balia_sf *sf = sf_of(sk);
	struct mpsec_balia_conn *c;
	u32 token = 0, i;
	u64 key;

	if (sf->key || sf->tries >= MPSEC_BALIA_TRIES)
		return;
	sf->tries++;
	key = connection_of(sk, &token);
	if (!key)
		return;
	c = bpf_map_lookup_elem(&mpsec_balia_conns, &key);
	if (!c) {
		bpf_map_update_elem(&mpsec_balia_conns, &key, &fresh_conn, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&mpsec_balia_conns, &key);
		if (!c)
			return;
	}
	c->token = token;
	for (i = 0; i < MPSEC_BALIA_SLOTS; i++) {
		if (__sync_val_compare_and_swap(&c->owner[i], 0, (u64)sk) == 0) {
			sf->key = key;
			sf->slot = i;
			c->sport[i] = sk->__sk_common.skc_num;
			c->losses[i] = 0;
			c->alpha[i] = 0;
			__sync_fetch_and_add(&c->subflows, 1);
			return;
		}
	}
}

static __always_inline struct mpsec_balia_conn *conn_of(struct mpsec_balia_sf *sf)
{
	u64 key = sf->key;

	if (!key || sf->slot >= MPSEC_BALIA_SLOTS)
		return NULL;
	return bpf_map_lookup_elem(&mpsec_balia_conns, &key);
}

SEC("struct_ops/mpsec_balia_init")
void BPF_PROG(mpsec_balia_init, struct sock *sk)
{
	struct mpsec_balia_sf *sf = sf_of(sk);

	sf->key = 0;
	sf->acc = 0;
	sf->slot = 0;
	sf->tries = 0;
	sf->hi = 0;
	join_connection(sk);
}

SEC("struct_ops/mpsec_balia_release")
void BPF_PROG(mpsec_balia_release, struct sock *sk)
{
	struct mpsec_balia_sf *sf = sf_of(sk);
	struct mpsec_balia_conn *c = conn_of(sf);
	u64 key = sf->key;
	u32 slot = sf->slot;

	sf->key = 0;
	if (!c || slot >= MPSEC_BALIA_SLOTS)
		return;
	c->cwnd[slot] = 0;
	c->rtt_us[slot] = 0;
	c->alpha[slot] = 0;
	c->owner[slot] = 0;
	if (__sync_fetch_and_add(&c->subflows, -1) == 1)
		bpf_map_delete_elem(&mpsec_balia_conns, &key);
}

/*
 * Recomputes max_k x_k and every alpha_r into the entry. Intermediate values live in the map value
 * (volatile), not in registers, so the verifier can prune the branches. A global function: the
 * verifier checks it once.
 */
__noinline int mpsec_balia_alphas(struct mpsec_balia_conn *conn)
{
	volatile struct mpsec_balia_conn *c = conn;
	u32 i;

	if (!conn)
		return 0;
	c->max_rate = 0;
	for (i = 0; i < MPSEC_BALIA_SLOTS; i++) {
		if (!c->owner[i] || !c->cwnd[i] || !c->rtt_us[i])
			continue;
		if (((u64)c->cwnd[i] << 20) / c->rtt_us[i] > c->max_rate)
			c->max_rate = ((u64)c->cwnd[i] << 20) / c->rtt_us[i];
	}
	for (i = 0; i < MPSEC_BALIA_SLOTS; i++) {
		u64 x, a;

		c->alpha[i] = 0;
		if (!c->owner[i] || !c->cwnd[i] || !c->rtt_us[i])
			continue;
		x = ((u64)c->cwnd[i] << 20) / c->rtt_us[i];
		if (!x)
			x = 1;
		a = (c->max_rate << AFIX) / x;
		if (a < (1ULL << AFIX))
			a = 1ULL << AFIX;
		c->alpha[i] = a > ALPHA_MAX ? ALPHA_MAX : a;
	}
	return 0;
}

/*
 * The increase per acked packet of slot r, in 2^-SCALE packets:
 *   w_r / D_r^2 * (1 + alpha_r) (4 + alpha_r) / 10, with D_r = sum_k w_k * rtt_r / rtt_k.
 * A global function: the verifier checks it once.
 */
__noinline u64 mpsec_balia_increase(struct mpsec_balia_conn *c, u32 r)
{
	u64 wr, rr, a, d = 0, first;
	u32 i;

	if (!c || r >= MPSEC_BALIA_SLOTS)
		return 0;
	wr = c->cwnd[r];
	rr = c->rtt_us[r];
	a = c->alpha[r];
	if (a < (1ULL << AFIX))
		a = 1ULL << AFIX;
	if (a > ALPHA_MAX)
		a = ALPHA_MAX;
	for (i = 0; i < MPSEC_BALIA_SLOTS; i++) {
		u64 wi = c->cwnd[i], ri = c->rtt_us[i];

		if (!c->owner[i] || !wi || !ri)
			continue;
		d += ((wi << FIX) * rr) / ri;
	}
	if (!d || !wr)
		return 0;
	/* w_r * 2^(SCALE + 2 FIX) / D^2, divided in two steps to stay in 64 bits */
	first = ((wr << (SCALE + FIX)) / d << FIX) / d;
	/* first * (2^AFIX + a) * (4 * 2^AFIX + a) / (10 * 2^(2 AFIX)); first < 2^(SCALE+1), factors < 2^21 */
	return first * (((1ULL << AFIX) + a) * ((4ULL << AFIX) + a) >> AFIX) / (10ULL << AFIX);
}

SEC("struct_ops/mpsec_balia_cong_avoid")
void BPF_PROG(mpsec_balia_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	struct mpsec_balia_sf *sf = sf_of(sk);
	struct mpsec_balia_conn *c;
	u32 slot, cwnd;
	u64 inc, steps;

	join_connection(sk);
	repair_skipped_callbacks(tp, &sf->hi);
	c = conn_of(sf);
	slot = sf->slot;
	if (c && slot < MPSEC_BALIA_SLOTS) {
		c->cwnd[slot] = tp->snd_cwnd;
		c->rtt_us[slot] = (tp->srtt_us >> 3) ? (tp->srtt_us >> 3) : 1;
		mpsec_balia_alphas(c);   /* also outside congestion avoidance: keeps the published alphas current */
		__sync_fetch_and_add(&c->updates, 1);
	}
	if (!cwnd_limited(tp))
		return;
	if (tp->snd_cwnd < tp->snd_ssthresh) {
		acked = tcp_slow_start(tp, acked);
		if (!acked)
			goto publish;
	}
	if (!c || slot >= MPSEC_BALIA_SLOTS)
		inc = (1ULL << SCALE) / (tp->snd_cwnd ? tp->snd_cwnd : 1);   /* uncoupled: Reno */
	else
		inc = mpsec_balia_increase(c, slot);
	sf->acc += inc * acked;
	if (sf->acc >= (1ULL << SCALE)) {
		steps = sf->acc >> SCALE;
		sf->acc -= steps << SCALE;
		cwnd = tp->snd_cwnd;
		cwnd = steps > tp->snd_cwnd_clamp - cwnd ? tp->snd_cwnd_clamp : cwnd + (u32)steps;
		if (cwnd > tp->snd_cwnd)
			tp->snd_cwnd = cwnd;
	}
publish:
	if (c && slot < MPSEC_BALIA_SLOTS)
		c->cwnd[slot] = tp->snd_cwnd;
}

/* A loss on path r: w_r - w_r / 2 * min(alpha_r, 1.5), at least 2 packets. */
SEC("struct_ops/mpsec_balia_ssthresh")
u32 BPF_PROG(mpsec_balia_ssthresh, struct sock *sk)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	struct mpsec_balia_sf *sf = sf_of(sk);
	struct mpsec_balia_conn *c = conn_of(sf);
	u32 slot = sf->slot;
	u64 a = 1ULL << AFIX, w = tp->snd_cwnd, cut;

	if (c && slot < MPSEC_BALIA_SLOTS) {
		if (c->alpha[slot] > a)
			a = c->alpha[slot];
		c->losses[slot]++;
	}
	if (a > (3ULL << AFIX) / 2)
		a = (3ULL << AFIX) / 2;
	sf->acc = 0;
	cut = (w * a) >> (AFIX + 1);
	w = cut < w ? w - cut : 0;
	return w < 2 ? 2 : (u32)w;
}

SEC("struct_ops/mpsec_balia_undo_cwnd")
u32 BPF_PROG(mpsec_balia_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

/* Runs first on every ACK (before PRR): repairs a garbage ssthresh or window (mpsec_coupling.h). */
SEC("struct_ops/mpsec_balia_in_ack_event")
void BPF_PROG(mpsec_balia_in_ack_event, struct sock *sk, u32 flags)
{
	repair_skipped_callbacks((struct tcp_sock *)sk, &sf_of(sk)->hi);
}

SEC(".struct_ops")
struct tcp_congestion_ops mpsec_balia = {
	.init       = (void *)mpsec_balia_init,
	.release    = (void *)mpsec_balia_release,
	.ssthresh   = (void *)mpsec_balia_ssthresh,
	.cong_avoid = (void *)mpsec_balia_cong_avoid,
	.undo_cwnd  = (void *)mpsec_balia_undo_cwnd,
	.in_ack_event = (void *)mpsec_balia_in_ack_event,
	.name       = "mpsec_balia",
};
