package io.mpsec.ipsec;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Secret key material (IPsec keys, the master key). It never prints its content: {@link #toString()}
 * is {@code <redacted N bytes>}. {@link #wipe()} overwrites the bytes with zeros; a wiped secret can no
 * longer be read.
 *
 * <p>Instances are thread-safe. Equality compares the content in constant time, so two SAs with the
 * same key compare equal without leaking the key through timing.
 */
public final class SecretBytes implements AutoCloseable {
    private final byte[] bytes;
    private volatile boolean wiped;

    private SecretBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A secret holding a copy of {@code bytes}; the caller should wipe its own array afterwards. */
    public static SecretBytes copyOf(byte[] bytes) {
        return new SecretBytes(bytes.clone());
    }

    /** A secret taking ownership of {@code bytes} (no copy). */
    public static SecretBytes wrap(byte[] bytes) {
        return new SecretBytes(bytes);
    }

    /** The number of bytes. */
    public int length() {
        return bytes.length;
    }

    /** A copy of the secret. Wipe the copy ({@code Arrays.fill(b, (byte) 0)}) when done. */
    public byte[] copy() {
        if (wiped) {
            throw new IllegalStateException("secret key material was wiped and can no longer be used");
        }
        return bytes.clone();
    }

    /** The sub-range {@code [from, from+len)} as a new secret. */
    public SecretBytes slice(int from, int len) {
        byte[] b = copy();
        try {
            return new SecretBytes(Arrays.copyOfRange(b, from, from + len));
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    /** Overwrites the secret with zeros. */
    public void wipe() {
        wiped = true;
        Arrays.fill(bytes, (byte) 0);
    }

    /** Whether {@link #wipe()} was called. */
    public boolean isWiped() {
        return wiped;
    }

    @Override
    public void close() {
        wipe();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretBytes && MessageDigest.isEqual(bytes, ((SecretBytes) o).bytes);
    }

    @Override
    public int hashCode() {
        return bytes.length;
    }

    @Override
    public String toString() {
        return "<redacted " + bytes.length + " bytes>";
    }
}
