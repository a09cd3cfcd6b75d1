// SPDX-License-Identifier: GPL-2.0
/*
 * mpsec_wvegas: weighted Vegas, the delay-based coupled congestion control, as a BPF
 * tcp_congestion_ops, written from Yu Cao, Mingwei Xu, Xiaoming Fu, "Delay-based congestion control
 * for multipath TCP" (IEEE ICNP 2012), its wVegas algorithm, and the Vegas it extends
 * (Brakmo, Peterson, "TCP Vegas: end to end congestion avoidance on a global Internet", IEEE JSAC
 * 1995).
 *
 * Per subflow r, the paper's quantities and rules by name (its section and equation numbers could not be
 * checked when this was written, so none are cited):
 *   - rtt_r: the smoothed RTT, an EWMA (gain 1/8, as the kernel's srtt) of the RTT samples pkts_acked
 *     delivers; baseRTT_r: the smallest RTT of the path. Here it is the smallest rtt_r seen (after the
 *     first WARMUP samples), not the smallest single sample: on the veth/HTB test paths single samples
 *     of 3-7 us occur (ss's minrtt shows them too, with any algorithm), below the 120 us one 1500-byte
 *     packet takes at 100 Mbit/s, and a baseRTT that small would read every RTT as a queue;
 *   - the backlog r keeps in the network, in packets:
 *         diff_r = (cwnd_r / baseRTT_r - cwnd_r / rtt_r) * baseRTT_r = cwnd_r (rtt_r - baseRTT_r) / rtt_r
 *   - the connection's total backlog target total_alpha is split among its subflows in proportion to
 *     each subflow's share of the connection's rate (the paper's weights):
 *         x_r = cwnd_r / rtt_r,   weight_r = x_r / sum_k x_k,   alpha_r = weight_r * total_alpha
 *     updated once per RTT of r;
 *   - congestion avoidance, once per RTT: cwnd_r + 1 if diff_r < alpha_r, cwnd_r - 1 if diff_r > alpha_r;
 *   - slow start as Vegas: the window doubles every other RTT (it grows per ACK in every second round)
 *     and slow start ends once diff_r exceeds gamma (the window is then cut to the expected window
 *     cwnd_r * baseRTT_r / rtt_r + 1);
 *   - the queueing-delay backoff: q_r = rtt_r - baseRTT_r is the queueing delay of r; the subflow
 *     remembers the smallest non-zero q_r seen since its last backoff (q_min_r), and when q_r grows
 *     beyond 2 q_min_r, the queue on r's bottleneck has doubled (other traffic, or a baseRTT measured
 *     on an already loaded path): the subflow drains its share with cwnd_r = cwnd_r * baseRTT_r /
 *     (2 rtt_r) and measures q_min_r afresh;
 *   - a loss halves the window as Reno (Vegas's own fallback), and undo is Reno's.
 * A single path has weight 1 and alpha = total_alpha: plain Vegas with alpha = beta = total_alpha.
 *
 * Parameters of this implementation (not fixed by the paper): total_alpha = 10 packets, gamma = 1
 * packet, the EWMA gain 1/8. A round (one RTT) ends when an ACK covers the snd_nxt recorded at its
 * start, as in the kernel's Vegas; a round without an RTT sample takes a Reno step instead.
 *
 * All arithmetic is integer: rates in packets per 2^-20 microsecond, weights in 2^-16, alpha_r and
 * diff_r in 2^-10 packets.
 *
 * Coupling as in mpsec_lia: the subflows of one MPTCP connection share an entry of mpsec_wv_conns
 * keyed by the MPTCP socket (msk) pointer (connection_of() in mpsec_coupling.h). A plain TCP
 * socket, or a subflow whose connection has no free slot, runs uncoupled Vegas (weight 1).
 *
 * The map value publishes each subflow's window, smoothed and base RTT, local port (updated on every
 * ACK) and the weight, alpha_r and diff_r of its last round, so tests and tools can check the
 * algorithm from user space.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "mpsec_coupling.h"

char _license[] SEC("license") = "GPL";

#define MPSEC_WV_SLOTS 8       /* subflows coupled per connection (MPTCP's default limit is 2, max 8) */
#define MPSEC_WV_TRIES 8       /* attempts to join the connection's entry before staying uncoupled */
#define AFIX 10                /* fixed-point fraction bits of alpha_r and diff_r (packets) */
#define WFIX 16                /* fixed-point fraction bits of weight_r */
#define RATE_SHIFT 20          /* rates x_r in packets per 2^-20 microsecond */
#define TOTAL_ALPHA 10ULL      /* the connection's total backlog target, packets */
#define GAMMA 1ULL             /* slow-start exit threshold, packets */
#define WARMUP 8               /* RTT samples before baseRTT_r is taken from the smoothed RTT */

extern u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;
extern u32 tcp_slow_start(struct tcp_sock *tp, u32 acked) __ksym;
extern void tcp_cong_avoid_ai(struct tcp_sock *tp, u32 w, u32 acked) __ksym;

/* The layout Java reads (WvegasConnection.java): keep in step. 336 bytes, no padding. */
struct mpsec_wvegas_conn {
	u64 owner[MPSEC_WV_SLOTS];         /* subflow sock pointer per slot, 0 = free */
	u32 cwnd[MPSEC_WV_SLOTS];          /* packets */
	u32 rtt_us[MPSEC_WV_SLOTS];        /* smoothed RTT rtt_r, microseconds */
	u32 base_rtt_us[MPSEC_WV_SLOTS];   /* baseRTT_r, microseconds */
	u32 sport[MPSEC_WV_SLOTS];         /* local port, host order (to match ss) */
	u32 weight[MPSEC_WV_SLOTS];        /* weight_r of the last round, 2^-WFIX (65536 = 1.0), 0 = none yet */
	u32 alpha[MPSEC_WV_SLOTS];         /* alpha_r of the last round, 2^-AFIX packets */
	u32 diff[MPSEC_WV_SLOTS];          /* diff_r of the last round, 2^-AFIX packets */
	u32 backoffs[MPSEC_WV_SLOTS];      /* queueing-delay backoffs */
	u32 token;                         /* MPTCP connection token */
	u32 subflows;                      /* occupied slots */
	u64 rounds;                        /* per-RTT decisions taken, all subflows */
};
_Static_assert(sizeof(struct mpsec_wvegas_conn) == 336, "WvegasConnection.SIZE");
_Static_assert(__builtin_offsetof(struct mpsec_wvegas_conn, token) == 320, "WvegasConnection offsets");

/* At most 15 characters: the kernel keeps 15, and a reused registration finds the map by that name. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, struct mpsec_wvegas_conn);
} mpsec_wv_conns SEC(".maps");

/* A zeroed entry to insert; never written. */
static const struct mpsec_wvegas_conn fresh_conn = {};

/* Per-subflow state in icsk_ca_priv (ICSK_CA_PRIV_SIZE, 104 bytes on 6.x). */
struct mpsec_wvegas_sf {
	u64 key;          /* msk pointer, 0 = not coupled */
	u32 slot;
	u32 tries;
	u32 beg_snd_nxt;  /* the round ends when an ACK covers this */
	u32 base_rtt;     /* baseRTT_r, us; 0 = no sample yet */
	u32 srtt8;        /* rtt_r in 2^-3 us; 0 = no sample yet */
	u32 q_min;        /* smallest non-zero queueing delay since the last backoff, us; 0 = none */
	u32 samples;      /* RTT samples in this round */
	u32 grow;         /* slow start: this round grows the window */
	u32 warmup;       /* samples absorbed before baseRTT_r is tracked, up to WARMUP */
	u32 hi;           /* largest window when a callback began (repair_skipped_callbacks) */
};

static __always_inline struct mpsec_wvegas_sf *sf_of(struct sock *sk)
{
	return (struct mpsec_wvegas_sf *)((struct inet_connection_sock *)sk)->icsk_ca_priv;
}

static __always_inline void join_connection(struct sock *sk)
{
	struct mpsec_wvegas_sf *sf = sf_of(sk);
	struct mpsec_wvegas_conn *c;
	u32 token = 0, i;
	u64 key;

	if (sf->key || sf->tries >= MPSEC_WV_TRIES)
		return;
	sf->tries++;
	key = connection_of(sk, &token);
	if (!key)
		return;
	c = bpf_map_lookup_elem(&mpsec_wv_conns, &key);
	if (!c) {
		bpf_map_update_elem(&mpsec_wv_conns, &key, &fresh_conn, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&mpsec_wv_conns, &key);
		if (!c)
			return;
	}
	c->token = token;
	for (i = 0; i < MPSEC_WV_SLOTS; i++) {
		if (__sync_val_compare_and_swap(&c->owner[i], 0, (u64)sk) == 0) {
			sf->key = key;
			sf->slot = i;
			c->sport[i] = sk->__sk_common.skc_num;
			c->weight[i] = 0;
			c->alpha[i] = 0;
			c->diff[i] = 0;
			c->backoffs[i] = 0;
			__sync_fetch_and_add(&c->subflows, 1);
			return;
		}
	}
}

static __always_inline struct mpsec_wvegas_conn *conn_of(struct mpsec_wvegas_sf *sf)
{
	u64 key = sf->key;

	if (!key || sf->slot >= MPSEC_WV_SLOTS)
		return NULL;
	return bpf_map_lookup_elem(&mpsec_wv_conns, &key);
}

SEC("struct_ops/mpsec_wvegas_init")
void BPF_PROG(mpsec_wvegas_init, struct sock *sk)
{
	struct mpsec_wvegas_sf *sf = sf_of(sk);
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	sf->key = 0;
	sf->slot = 0;
	sf->tries = 0;
	sf->hi = 0;
	sf->beg_snd_nxt = tp->snd_nxt;
	sf->base_rtt = 0;
	sf->srtt8 = 0;
	sf->q_min = 0;
	sf->samples = 0;
	sf->grow = 1;
	sf->warmup = 0;
	join_connection(sk);
}

SEC("struct_ops/mpsec_wvegas_release")
void BPF_PROG(mpsec_wvegas_release, struct sock *sk)
{
	struct mpsec_wvegas_sf *sf = sf_of(sk);
	struct mpsec_wvegas_conn *c = conn_of(sf);
	u64 key = sf->key;
	u32 slot = sf->slot;

	sf->key = 0;
	if (!c || slot >= MPSEC_WV_SLOTS)
		return;
	c->cwnd[slot] = 0;
	c->rtt_us[slot] = 0;
	c->weight[slot] = 0;
	c->alpha[slot] = 0;
	c->owner[slot] = 0;
	if (__sync_fetch_and_add(&c->subflows, -1) == 1)
		bpf_map_delete_elem(&mpsec_wv_conns, &key);
}

/* baseRTT_r and rtt_r from the ACK's RTT sample (the paper's two RTTs per subflow). */
SEC("struct_ops/mpsec_wvegas_pkts_acked")
void BPF_PROG(mpsec_wvegas_pkts_acked, struct sock *sk, const struct ack_sample *sample)
{
	struct mpsec_wvegas_sf *sf = sf_of(sk);
	struct mpsec_wvegas_conn *c;
	s32 rtt = sample->rtt_us;
	u32 slot;

	if (rtt <= 0)
		return;
	if (!sf->srtt8)
		sf->srtt8 = (u32)rtt << 3;
	else
		sf->srtt8 = sf->srtt8 - (sf->srtt8 >> 3) + (u32)rtt;   /* rtt_r += (sample - rtt_r) / 8 */
	if (sf->warmup < WARMUP) {
		sf->warmup++;   /* the first samples alone are not yet a smoothed RTT */
	} else if (!sf->base_rtt || (sf->srtt8 >> 3) < sf->base_rtt) {
		sf->base_rtt = (sf->srtt8 >> 3) ? (sf->srtt8 >> 3) : 1;
	}
	sf->samples++;
	c = conn_of(sf);
	slot = sf->slot;
	if (c && slot < MPSEC_WV_SLOTS) {
		c->rtt_us[slot] = (sf->srtt8 >> 3) ? (sf->srtt8 >> 3) : 1;
		c->base_rtt_us[slot] = sf->base_rtt;
	}
}

/*
 * weight_r = x_r / sum_k x_k with x_k = cwnd_k / rtt_k, and alpha_r = weight_r * total_alpha, into
 * slot r of the entry (the paper's rate-proportional split of total_alpha). Intermediate values
 * go through a volatile pointer into the map value so the verifier can prune; a global function,
 * verified once.
 */
__noinline int mpsec_wvegas_weigh(struct mpsec_wvegas_conn *conn, u32 r)
{
	volatile struct mpsec_wvegas_conn *c = conn;
	u64 sum = 0, xr = 0, w;
	u32 i;

	if (!conn || r >= MPSEC_WV_SLOTS)
		return 0;
	for (i = 0; i < MPSEC_WV_SLOTS; i++) {
		u64 x;

		if (!c->owner[i] || !c->cwnd[i] || !c->rtt_us[i])
			continue;
		x = ((u64)c->cwnd[i] << RATE_SHIFT) / c->rtt_us[i];
		sum += x;
		if (i == r)
			xr = x;
	}
	if (!sum || !xr) {
		c->weight[r] = 0;
		c->alpha[r] = 0;
		return 0;
	}
	w = (xr << WFIX) / sum;
	if (w > (1ULL << WFIX))
		w = 1ULL << WFIX;
	c->weight[r] = w;
	c->alpha[r] = ((TOTAL_ALPHA << AFIX) * w) >> WFIX;
	return 0;
}

/* One round's decision (the paper's per-RTT rules): backoff, slow-start exit, or cwnd +-1 around alpha_r. */
static __always_inline void end_round(struct sock *sk, struct mpsec_wvegas_sf *sf, struct mpsec_wvegas_conn *c)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	u32 slot = sf->slot, cwnd = tp->snd_cwnd;
	u64 rtt = sf->srtt8 >> 3, base = sf->base_rtt, q, diff, alpha = TOTAL_ALPHA << AFIX;

	if (!rtt || !base)
		return;
	if (rtt < base)
		rtt = base;
	q = rtt - base;
	diff = ((u64)cwnd << AFIX) * q / rtt;   /* (cwnd/base - cwnd/rtt) * base */
	if (c && slot < MPSEC_WV_SLOTS) {
		c->cwnd[slot] = cwnd;
		mpsec_wvegas_weigh(c, slot);
		alpha = c->alpha[slot];
		c->diff[slot] = diff;
		__sync_fetch_and_add(&c->rounds, 1);
	}
	/* the queueing-delay backoff */
	if (sf->q_min && q > 2ULL * sf->q_min) {
		u64 w = (u64)cwnd * base / (2 * rtt);

		tp->snd_cwnd = w < 2 ? 2 : (u32)w;
		if (tp->snd_ssthresh > tp->snd_cwnd)
			tp->snd_ssthresh = tp->snd_cwnd;   /* leave slow start too: the path is loaded */
		sf->q_min = 0;
		if (c && slot < MPSEC_WV_SLOTS)
			c->backoffs[slot]++;
		return;
	}
	if (q && (!sf->q_min || q < sf->q_min))
		sf->q_min = q;
	if (tp->snd_cwnd < tp->snd_ssthresh) {
		/* slow start as Vegas: leave it once the backlog exceeds gamma */
		if (diff > (GAMMA << AFIX)) {
			u64 expected = (u64)cwnd * base / rtt + 1;

			if (expected < tp->snd_cwnd)
				tp->snd_cwnd = expected < 2 ? 2 : (u32)expected;
			tp->snd_ssthresh = tp->snd_cwnd > 2 ? tp->snd_cwnd - 1 : 2;
		}
		return;
	}
	if (diff > alpha) {
		if (tp->snd_cwnd > 2)
			tp->snd_cwnd--;
	} else if (diff < alpha && cwnd_limited(tp)) {
		if (tp->snd_cwnd < tp->snd_cwnd_clamp)
			tp->snd_cwnd++;
	}
}

SEC("struct_ops/mpsec_wvegas_cong_avoid")
void BPF_PROG(mpsec_wvegas_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	struct mpsec_wvegas_sf *sf = sf_of(sk);
	struct mpsec_wvegas_conn *c;
	u32 slot;

	join_connection(sk);
	repair_skipped_callbacks(tp, &sf->hi);
	c = conn_of(sf);
	slot = sf->slot;
	if ((s32)(ack - sf->beg_snd_nxt) > 0) {
		/* a round (one RTT) ended */
		sf->beg_snd_nxt = tp->snd_nxt;
		if (sf->samples)
			end_round(sk, sf, c);
		else if (cwnd_limited(tp))
			tcp_cong_avoid_ai(tp, tp->snd_cwnd, acked);   /* no RTT sample: Reno for this ACK */
		sf->samples = 0;
		sf->grow = !sf->grow;
	} else if (tp->snd_cwnd < tp->snd_ssthresh && sf->grow && cwnd_limited(tp)) {
		tcp_slow_start(tp, acked);   /* Vegas doubles the window every other RTT */
	}
	if (c && slot < MPSEC_WV_SLOTS)
		c->cwnd[slot] = tp->snd_cwnd;
}

/* A loss: Reno's halving (Vegas falls back to Reno on loss). */
SEC("struct_ops/mpsec_wvegas_ssthresh")
u32 BPF_PROG(mpsec_wvegas_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/mpsec_wvegas_undo_cwnd")
u32 BPF_PROG(mpsec_wvegas_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

/* Runs first on every ACK (before PRR): repairs a garbage ssthresh or window (mpsec_coupling.h). */
SEC("struct_ops/mpsec_wvegas_in_ack_event")
void BPF_PROG(mpsec_wvegas_in_ack_event, struct sock *sk, u32 flags)
{
	repair_skipped_callbacks((struct tcp_sock *)sk, &sf_of(sk)->hi);
}

SEC(".struct_ops")
struct tcp_congestion_ops mpsec_wvegas = {
	.init       = (void *)mpsec_wvegas_init,
	.release    = (void *)mpsec_wvegas_release,
	.ssthresh   = (void *)mpsec_wvegas_ssthresh,
	.cong_avoid = (void *)mpsec_wvegas_cong_avoid,
	.pkts_acked = (void *)mpsec_wvegas_pkts_acked,
	.undo_cwnd  = (void *)mpsec_wvegas_undo_cwnd,
	.in_ack_event = (void *)mpsec_wvegas_in_ack_event,
	.name       = "mpsec_wvegas",
};
