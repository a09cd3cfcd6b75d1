// SPDX-License-Identifier: GPL-2.0
/*
 * Test fixture: mpsec_lia registered as "mpsec_skiplia", whose ssthresh callback hands the kernel what
 * a skipped callback hands it on the MPSec test host (mpsec_coupling.h, repair_skipped_callbacks):
 * not the computed threshold but a stale value of the size seen there (the low 32 bits of a kernel
 * pointer; windows up to 407 million packets followed). Every call does, so every loss event of every
 * subflow stores a garbage snd_ssthresh, and the program's repair must put it back at the next ACK.
 * mpsec_skipped counts the garbage values handed out (.bss, after the two repair counters).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* below TCP_INFINITE_SSTHRESH, so the kernel ends recovery with cwnd = ssthresh (tcp_end_cwnd_reduction) */
#define MPSEC_STALE_SSTHRESH 0x18425e40u

static __always_inline u32 skipped_ssthresh(u32 value);

#ifndef MPSEC_LIA_NAME
#define MPSEC_LIA_NAME "mpsec_skiplia"
#endif
#define MPSEC_SSTHRESH_RESULT(sk, value) skipped_ssthresh(value)
#include "mpsec_lia.bpf.c"

u64 mpsec_skipped = 0;

static __always_inline u32 skipped_ssthresh(u32 value)
{
	__sync_fetch_and_add(&mpsec_skipped, 1);
	return value ? MPSEC_STALE_SSTHRESH : 0;   /* uses value, so the kernel's Reno ssthresh still runs */
}
