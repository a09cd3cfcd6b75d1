package io.mpsec.kernel.bpf;

import io.mpsec.kernel.ffi.Bytes;

/**
 * How often a loaded MPSec congestion control repaired what a skipped callback left behind: the
 * object's {@code .bss} counters {@code mpsec_repaired_cwnd} and {@code mpsec_repaired_ssthresh}
 * ({@code repair_skipped_callbacks} in {@code mpsec-kernel/src/main/bpf/mpsec_coupling.h}). On the MPSec
 * test host the kernel does not run BPF programs on top of PID 1's threads, and a skipped
 * {@code ssthresh} or {@code undo_cwnd} hands the kernel stale stack as a threshold or window
 * ({@code docs/kernel-notes/bpf-struct-ops-skipped-for-pid1.md}); on a stock kernel both stay 0.
 *
 * @param windows congestion windows put back (beyond twice the largest seen plus 256 packets, or 0)
 * @param thresholds slow-start thresholds put back (implausibly large, or below 2)
 */
public record CallbackRepairs(long windows, long thresholds) {
    /** Bytes of the two counters at the start of the {@code .bss} section. */
    static final int SIZE = 16;

    static CallbackRepairs parse(byte[] bss) {
        if (bss.length < SIZE) {
            throw new IllegalArgumentException("the .bss value has " + bss.length + " bytes, the repair counters need " + SIZE);
        }
        return new CallbackRepairs(Bytes.longLE(bss, 0), Bytes.longLE(bss, 8));
    }
}
