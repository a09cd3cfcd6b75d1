package io.mpsec.agent.demo;

/**
 * The demo stream's content: a deterministic pseudo-random byte sequence (SplitMix64 over the 8-byte
 * word index), so the receiver can check every byte at its stream position without the sender's help,
 * whatever the chunking.
 */
final class Pattern {
    private final long seed;

    Pattern(long seed) {
        this.seed = seed;
    }

    /** Fills {@code buf[off, off+len)} with the bytes at stream positions {@code pos...}. */
    void fill(byte[] buf, int off, int len, long pos) {
        for (int i = 0; i < len; i++) {
            buf[off + i] = at(pos + i);
        }
    }

    /**
     * Returns the index (from {@code off}) of the first byte of {@code buf[off, off+len)} that differs
     * from the stream at {@code pos}, or -1 when all match.
     */
    int firstMismatch(byte[] buf, int off, int len, long pos) {
        for (int i = 0; i < len; i++) {
            if (buf[off + i] != at(pos + i)) {
                return i;
            }
        }
        return -1;
    }

    private byte at(long pos) {
        return (byte) (word(pos >>> 3) >>> ((pos & 7) << 3));
    }

    private long word(long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
