// SPDX-License-Identifier: GPL-2.0
/*
 * Test fixture, the control of skipping_lia.bpf.c: the same stale ssthresh on every call, registered
 * as "mpsec_norepair", with repair_skipped_callbacks compiled out. It shows what the repair prevents.
 */
#define MPSEC_LIA_NAME "mpsec_norepair"
#define MPSEC_REPAIR 0
#include "skipping_lia.bpf.c"
