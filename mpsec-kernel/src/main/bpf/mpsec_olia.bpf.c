// SPDX-License-Identifier: GPL-2.0
/*
 * mpsec_olia: the Opportunistic Linked Increases Algorithm as a BPF tcp_congestion_ops, written
 * from Khalili, Gast, Popovic, Le Boudec, "MPTCP is not Pareto-optimal: performance issues and a
 * possible solution" (CoNEXT 2012; IEEE/ACM ToN 2013) and draft-khalili-mptcp-congestion-control.
 *
 * The paper's algorithm, for the paths R of one connection (|R| = n):
 *   - for each ACK on path r, in congestion avoidance, w_r grows by
 *         (w_r / rtt_r^2) / (sum_p w_p / rtt_p)^2  +  alpha_r / w_r      (packets per acked packet)
 *   - for each loss on path r, w_r is halved (Reno).
 *   - l_r = max(l1_r, l2_r): l1_r the bytes acknowledged on r between its last two losses, l2_r
 *     the bytes acknowledged since its last loss (since the start before the first loss).
 *   - M, the max-window paths: the paths with the largest w_r.
 *     B, the presumably best paths: the paths with the largest l_r / rtt_r^2. A TCP flow's rate on
 *     r goes as sqrt(1/p_r) / rtt_r and l_r estimates 1/p_r, so l_r / rtt_r^2 ranks the square of the
 *     rate a TCP user would get on r.
 *     C = B \ M, the collected paths.
 *   - alpha_r = 1 / (n |C|)   if r is in C,
 *             = -1 / (n |M|)  if r is in M and C is not empty,
 *             = 0             otherwise.
 * Multiplying the first term's numerator and denominator by rtt_r^2 gives w_r / D_r^2 with
 * D_r = sum_p w_p * rtt_r / rtt_p (in packets), computed here in fixed point. A single path has
 * D_r = w_r, M = B = {r}, alpha_r = 0: plain Reno.
 *
 * The increase can be negative (alpha_r < 0 on the max-window paths), so it is accumulated per
 * subflow in 2^-SCALE packets (icsk_ca_priv) and applied in whole packets; the window never drops
 * below 2 packets through an increase step and never exceeds snd_cwnd_clamp. Slow start, halving and
 * undo are the kernel's Reno kfuncs. A loss is what makes the kernel ask for ssthresh (fast
 * retransmit, RTO, ECN), so ssthresh() closes l1_r there. Byte counts are tcp_sock.bytes_acked
 * (what ss prints as bytes_acked).
 *
 * Coupling as in mpsec_lia: the subflows of one MPTCP connection share an entry of mpsec_olia_conns
 * keyed by the MPTCP socket (msk) pointer, reached through tcp_sock.is_mptcp and a read-only cast of
 * icsk_ulp_data to struct mptcp_subflow_context (CO-RE; bpf_rdonly_cast needs Linux 6.2+). A plain
 * TCP socket, or a subflow whose connection has no free slot, runs uncoupled Reno.
 *
 * The map value publishes each subflow's window, RTT, local port, byte counts and alpha_r, and the
 * sets M, B and C as bit masks of slots, recomputed on every ACK, so tests and tools can check the
 * algorithm from user space.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "mpsec_coupling.h"

char _license[] SEC("license") = "GPL";

#define MPSEC_OLIA_SLOTS 8     /* subflows coupled per connection (MPTCP's default limit is 2, max 8) */
#define MPSEC_OLIA_TRIES 8     /* attempts to join the connection's entry before staying uncoupled */
#define FIX 10                 /* fixed-point fraction bits of D_r */
#define SCALE 20               /* fixed-point fraction bits of the per-packet increase */
#define L_MAX_KIB 0xffffffULL /* l_r cap in KiB (16 GiB), so that l_r << QUALITY_SHIFT fits in 64 bits */
#define QUALITY_SHIFT 40       /* quality in 2^-40 KiB per us^2 */

extern u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;
extern u32 tcp_slow_start(struct tcp_sock *tp, u32 acked) __ksym;

/* The layout Java reads (OliaConnection.java): keep in step. 528 bytes, no padding. */
struct mpsec_olia_conn {
	u64 owner[MPSEC_OLIA_SLOTS];       /* subflow sock pointer per slot, 0 = free */
	u64 bytes_acked[MPSEC_OLIA_SLOTS]; /* tcp_sock.bytes_acked at the last ACK seen */
	u64 loss_mark[MPSEC_OLIA_SLOTS];   /* bytes_acked at the last loss (0 before the first) */
	u64 l1[MPSEC_OLIA_SLOTS];          /* bytes acked between the last two losses */
	u64 quality[MPSEC_OLIA_SLOTS];     /* (l_r << 40) / rtt_r^2, l_r in KiB, rtt_r in microseconds */
	u64 max_quality;                   /* the largest quality (B's) */
	u32 cwnd[MPSEC_OLIA_SLOTS];        /* packets */
	u32 rtt_us[MPSEC_OLIA_SLOTS];      /* smoothed RTT, microseconds */
	u32 sport[MPSEC_OLIA_SLOTS];       /* local port, host order (to match ss) */
	u32 losses[MPSEC_OLIA_SLOTS];      /* loss events (ssthresh calls) */
	s32 alpha_ppm[MPSEC_OLIA_SLOTS];   /* alpha_r in millionths, signed */
	u32 token;                         /* MPTCP connection token */
	u32 subflows;                      /* occupied slots */
	u32 best;                          /* B: bit i = slot i */
	u32 max_w;                         /* M */
	u32 collected;                     /* C = B \ M */
	u32 valid;                         /* the paths counted (a window and an RTT); n = its bit count */
	u32 max_cwnd;                      /* the largest window (M's) */
	u32 reserved;
	u64 updates;                       /* set computations */
};
_Static_assert(sizeof(struct mpsec_olia_conn) == 528, "OliaConnection.SIZE");
_Static_assert(__builtin_offsetof(struct mpsec_olia_conn, cwnd) == 328, "OliaConnection offsets");
_Static_assert(__builtin_offsetof(struct mpsec_olia_conn, token) == 488, "OliaConnection offsets");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, struct mpsec_olia_conn);
} mpsec_olia_conns SEC(".maps");

/* A zeroed entry to insert (448 bytes do not fit the 512-byte BPF stack next to the rest); never written. */
static const struct mpsec_olia_conn fresh_conn = {};

/* Per-subflow state in icsk_ca_priv (ICSK_CA_PRIV_SIZE, 104 bytes on 6.x). */
struct mpsec_olia_sf {
	u64 key;    /* msk pointer, 0 = not coupled */
	s64 acc;    /* pending window change, 2^-SCALE packets */
	u32 slot;
	u32 tries;
	u32 hi;     /* largest window when a callback began (repair_skipped_callbacks) */
};

static __always_inline struct mpsec_olia_sf *sf_of(struct sock *sk)
{
	return (struct mpsec_olia_sf *)((struct inet_connection_sock *)sk)->icsk_ca_priv;
}

static __always_inline void join_connection(struct sock *sk)
{
	struct mpsec_olia_sf *sf = sf_of(sk);
	struct mpsec_olia_conn *c;
	u32 token = 0, i;
	u64 key;

	if (sf->key || sf->tries >= MPSEC_OLIA_TRIES)
		return;
	sf->tries++;
	key = connection_of(sk, &token);
	if (!key)
		return;
	c = bpf_map_lookup_elem(&mpsec_olia_conns, &key);
	if (!c) {
		bpf_map_update_elem(&mpsec_olia_conns, &key, &fresh_conn, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&mpsec_olia_conns, &key);
		if (!c)
			return;
	}
	c->token = token;
	for (i = 0; i < MPSEC_OLIA_SLOTS; i++) {
		if (__sync_val_compare_and_swap(&c->owner[i], 0, (u64)sk) == 0) {
			struct tcp_sock *tp = (struct tcp_sock *)sk;

			sf->key = key;
			sf->slot = i;
			c->sport[i] = sk->__sk_common.skc_num;
			c->loss_mark[i] = tp->bytes_acked;   /* l2 counts from joining */
			c->l1[i] = 0;
			c->losses[i] = 0;
			__sync_fetch_and_add(&c->subflows, 1);
			return;
		}
	}
}

static __always_inline struct mpsec_olia_conn *conn_of(struct mpsec_olia_sf *sf)
{
	u64 key = sf->key;

	if (!key || sf->slot >= MPSEC_OLIA_SLOTS)
		return NULL;
	return bpf_map_lookup_elem(&mpsec_olia_conns, &key);
}

SEC("struct_ops/mpsec_olia_init")
void BPF_PROG(mpsec_olia_init, struct sock *sk)
{
	struct mpsec_olia_sf *sf = sf_of(sk);

	sf->key = 0;
	sf->acc = 0;
	sf->slot = 0;
	sf->tries = 0;
	sf->hi = 0;
	join_connection(sk);
}

SEC("struct_ops/mpsec_olia_release")
void BPF_PROG(mpsec_olia_release, struct sock *sk)
{
	struct mpsec_olia_sf *sf = sf_of(sk);
	struct mpsec_olia_conn *c = conn_of(sf);
	u64 key = sf->key;
	u32 slot = sf->slot;

	sf->key = 0;
	if (!c || slot >= MPSEC_OLIA_SLOTS)
		return;
	c->cwnd[slot] = 0;
	c->rtt_us[slot] = 0;
	c->alpha_ppm[slot] = 0;
	c->owner[slot] = 0;
	if (__sync_fetch_and_add(&c->subflows, -1) == 1)
		bpf_map_delete_elem(&mpsec_olia_conns, &key);
}

/* quality[i] = l_r / rtt_r^2 with l_r = max(l1, l2) in KiB, in 2^-40 KiB/us^2 (B's ranking). A global function. */
__noinline u64 mpsec_olia_quality(struct mpsec_olia_conn *c, u32 i)
{
	u64 l, l2;

	if (!c || i >= MPSEC_OLIA_SLOTS || !c->rtt_us[i])
		return 0;
	l2 = c->bytes_acked[i] - c->loss_mark[i];
	l = c->l1[i] > l2 ? c->l1[i] : l2;
	l >>= 10;
	if (l > L_MAX_KIB)
		l = L_MAX_KIB;
	return ((l << QUALITY_SHIFT) / c->rtt_us[i]) / c->rtt_us[i];
}

/* Bits set in a slot mask, without branches (the verifier would follow each one). */
static __always_inline u32 popcount8(u32 m)
{
	m = (m & 0x55) + ((m >> 1) & 0x55);
	m = (m & 0x33) + ((m >> 2) & 0x33);
	return (m & 0x0f) + ((m >> 4) & 0x0f);
}

/*
 * Recomputes M, B, C and every alpha_r into the entry; returns n, the number of paths (slots with a
 * window and an RTT). Every intermediate value lives in the map value, not in a register: a register
 * would carry an exact value per combination of branches and the verifier could not prune them
 * (volatile, so that the compiler keeps them in memory too).
 * A global function: the verifier checks it once.
 */
__noinline u32 mpsec_olia_sets(struct mpsec_olia_conn *conn)
{
	volatile struct mpsec_olia_conn *c = conn;   /* every access a real load or store */
	u32 i, n, mk, ck;

	if (!conn)
		return 0;
	c->valid = 0;
	c->max_w = 0;
	c->best = 0;
	c->max_cwnd = 0;
	c->max_quality = 0;
	for (i = 0; i < MPSEC_OLIA_SLOTS; i++) {
		if (!c->owner[i] || !c->cwnd[i] || !c->rtt_us[i])
			continue;
		c->valid |= 1U << i;
		c->quality[i] = mpsec_olia_quality(conn, i);
		if (c->cwnd[i] > c->max_cwnd)
			c->max_cwnd = c->cwnd[i];
		if (c->quality[i] > c->max_quality)
			c->max_quality = c->quality[i];
	}
	for (i = 0; i < MPSEC_OLIA_SLOTS; i++) {
		if (!(c->valid & (1U << i)))
			continue;
		if (c->cwnd[i] == c->max_cwnd)
			c->max_w |= 1U << i;
		if (c->quality[i] == c->max_quality)
			c->best |= 1U << i;
	}
	c->collected = c->best & ~c->max_w;
	n = popcount8(c->valid);
	mk = popcount8(c->max_w);
	ck = popcount8(c->collected);
	for (i = 0; i < MPSEC_OLIA_SLOTS; i++) {
		c->alpha_ppm[i] = 0;
		if (!n || !ck)
			continue;
		if (c->collected & (1U << i))
			c->alpha_ppm[i] = (s32)(1000000 / (n * ck));
		else if (mk && (c->max_w & (1U << i)))
			c->alpha_ppm[i] = -(s32)(1000000 / (n * mk));
	}
	return n;
}

/*
 * The increase per acked packet of slot r, in 2^-SCALE packets (negative: a decrease):
 *   w_r / D_r^2 + alpha_r / w_r, with D_r = sum_p w_p * rtt_r / rtt_p,
 * from the sets mpsec_olia_sets() left in the entry. A global function: the verifier checks it once.
 */
__noinline s64 mpsec_olia_increase(struct mpsec_olia_conn *c, u32 r, u32 n)
{
	u64 wr, rr, d = 0, first, second;
	u32 i, ck, mk;

	if (!c || r >= MPSEC_OLIA_SLOTS)
		return 0;
	wr = c->cwnd[r];
	rr = c->rtt_us[r];
	ck = popcount8(c->collected);
	mk = popcount8(c->max_w);
	for (i = 0; i < MPSEC_OLIA_SLOTS; i++) {
		u64 wi = c->cwnd[i], ri = c->rtt_us[i];

		if (!c->owner[i] || !wi || !ri)
			continue;
		d += ((wi << FIX) * rr) / ri;
	}
	if (!d || !wr)
		return 0;
	/* w_r * 2^(SCALE + 2 FIX) / D^2, divided in two steps to stay in 64 bits */
	first = ((wr << (SCALE + FIX)) / d << FIX) / d;
	if (!ck || !n)
		return (s64)first;
	if (c->collected & (1U << r))
		return (s64)(first + (1ULL << SCALE) / (n * ck) / wr);
	if (!(c->max_w & (1U << r)) || !mk)
		return (s64)first;
	second = (1ULL << SCALE) / (n * mk) / wr;
	return (s64)first - (s64)second;
}

SEC("struct_ops/mpsec_olia_cong_avoid")
void BPF_PROG(mpsec_olia_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	struct mpsec_olia_sf *sf = sf_of(sk);
	struct mpsec_olia_conn *c;
	u32 slot, n = 1, cwnd;
	u64 steps;
	s64 inc;

	join_connection(sk);
	repair_skipped_callbacks(tp, &sf->hi);
	c = conn_of(sf);
	slot = sf->slot;
	if (c && slot < MPSEC_OLIA_SLOTS) {
		c->cwnd[slot] = tp->snd_cwnd;
		c->rtt_us[slot] = (tp->srtt_us >> 3) ? (tp->srtt_us >> 3) : 1;
		c->bytes_acked[slot] = tp->bytes_acked;
		n = mpsec_olia_sets(c);   /* also outside congestion avoidance: keeps the published sets current */
		__sync_fetch_and_add(&c->updates, 1);
	}
	if (!cwnd_limited(tp))
		return;
	if (tp->snd_cwnd < tp->snd_ssthresh) {
		acked = tcp_slow_start(tp, acked);
		if (!acked)
			goto publish;
	}
	if (!c || slot >= MPSEC_OLIA_SLOTS) {
		/* uncoupled: Reno, 1/w per acked packet */
		inc = (s64)((1ULL << SCALE) / (tp->snd_cwnd ? tp->snd_cwnd : 1));
	} else {
		c->cwnd[slot] = tp->snd_cwnd;
		inc = mpsec_olia_increase(c, slot, n);
	}
	sf->acc += inc * (s64)acked;
	cwnd = tp->snd_cwnd;
	if (sf->acc >= (s64)(1ULL << SCALE)) {
		steps = (u64)sf->acc >> SCALE;
		sf->acc -= (s64)(steps << SCALE);
		cwnd = steps > tp->snd_cwnd_clamp - cwnd ? tp->snd_cwnd_clamp : cwnd + (u32)steps;
		if (cwnd < tp->snd_cwnd)   /* snd_cwnd was above the clamp */
			cwnd = tp->snd_cwnd;
	} else if (sf->acc <= -(s64)(1ULL << SCALE)) {
		steps = (u64)(-sf->acc) >> SCALE;
		sf->acc += (s64)(steps << SCALE);
		cwnd = steps + 2 > cwnd ? (cwnd > 2 ? 2 : cwnd) : cwnd - (u32)steps;
	}
	tp->snd_cwnd = cwnd;
publish:
	if (c && slot < MPSEC_OLIA_SLOTS)
		c->cwnd[slot] = tp->snd_cwnd;
}

SEC("struct_ops/mpsec_olia_ssthresh")
u32 BPF_PROG(mpsec_olia_ssthresh, struct sock *sk)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	struct mpsec_olia_sf *sf = sf_of(sk);
	struct mpsec_olia_conn *c = conn_of(sf);
	u32 slot = sf->slot;

	/* a loss on this path: l1 = bytes acked since the previous loss, and l2 starts again */
	if (c && slot < MPSEC_OLIA_SLOTS) {
		u64 now = tp->bytes_acked;

		c->l1[slot] = now - c->loss_mark[slot];
		c->loss_mark[slot] = now;
		c->bytes_acked[slot] = now;
		c->losses[slot]++;
	}
	sf->acc = 0;
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/mpsec_olia_undo_cwnd")
u32 BPF_PROG(mpsec_olia_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

/* Runs first on every ACK (before PRR): repairs a garbage ssthresh or window (mpsec_coupling.h). */
SEC("struct_ops/mpsec_olia_in_ack_event")
void BPF_PROG(mpsec_olia_in_ack_event, struct sock *sk, u32 flags)
{
	repair_skipped_callbacks((struct tcp_sock *)sk, &sf_of(sk)->hi);
}

SEC(".struct_ops")
struct tcp_congestion_ops mpsec_olia = {
	.init       = (void *)mpsec_olia_init,
	.release    = (void *)mpsec_olia_release,
	.ssthresh   = (void *)mpsec_olia_ssthresh,
	.cong_avoid = (void *)mpsec_olia_cong_avoid,
	.undo_cwnd  = (void *)mpsec_olia_undo_cwnd,
	.in_ack_event = (void *)mpsec_olia_in_ack_event,
	.name       = "mpsec_olia",
};
