package io.mpsec.ipsec.keys;

import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecretBytes;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Derives per-path, per-direction SA keys and SPIs from the master key with HKDF-SHA256 (RFC 5869),
 * so that both hosts compute the same SAs from the same key file and generation.
 *
 * <p>For the flow {@code src -> dst} of generation {@code g}:
 * {@code OKM = HKDF(salt = "mpsec-ipsec/v1", IKM = master, info = "mpsec esp" || g (8 bytes, big-endian)
 * || len(src) || src || len(dst) || dst || attempt, L = 4 + keyBytes + 4)}; the first 4 bytes give the
 * SPI (mapped into 0x100..0xffffffff), the rest the AES key and the RFC 4106 salt. When two flows would
 * get the same SPI, the later one (in a fixed order of flows both hosts share) is derived again with
 * the next {@code attempt}, so SPIs are distinct on both hosts alike.
 */
public final class SaKeyDerivation {
    private static final byte[] SALT = "mpsec-ipsec/v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LABEL = "mpsec esp".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FINGERPRINT_LABEL = "mpsec key fingerprint".getBytes(StandardCharsets.US_ASCII);
    private static final long SPI_SPACE = 0x1_0000_0000L - 0x100;

    private final SecretBytes master;
    private final int aesKeyBytes;

    /**
     * @param master the 256-bit master key
     * @param aesKeyBits 128 or 256 (AES key size of the derived rfc4106(gcm(aes)) keys)
     */
    public SaKeyDerivation(SecretBytes master, int aesKeyBits) {
        if (aesKeyBits != 128 && aesKeyBits != 256) {
            throw new IllegalArgumentException("AES key size must be 128 or 256 bits, got " + aesKeyBits);
        }
        if (master.length() < 16) {
            throw new IllegalArgumentException("master key too short: " + master.length() + " bytes, need at least 16");
        }
        this.master = master;
        this.aesKeyBytes = aesKeyBits / 8;
    }

    /** A non-secret label of the master key (first 8 bytes of an HKDF output), for logs and the reuse ledger. */
    public String fingerprint() {
        try (SecretBytes fp = Hkdf.derive(SALT, master, FINGERPRINT_LABEL, 8)) {
            byte[] b = fp.copy();
            String s = java.util.HexFormat.of().formatHex(b);
            Arrays.fill(b, (byte) 0);
            return s;
        }
    }

    /** One flow derived with a given attempt counter (no collision handling). */
    public DerivedSa derive(long generation, InetAddress src, InetAddress dst, int attempt) {
        int keyLen = aesKeyBytes + SaAlgorithm.GCM_SALT_BYTES;
        try (SecretBytes okm = Hkdf.derive(SALT, master, info(generation, src, dst, attempt), 4 + keyLen)) {
            byte[] b = okm.copy();
            try {
                long raw = ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
                long spi = 0x100 + raw % SPI_SPACE;
                return new DerivedSa(src, dst, generation, spi, SecretBytes.copyOf(Arrays.copyOfRange(b, 4, 4 + keyLen)));
            } finally {
                Arrays.fill(b, (byte) 0);
            }
        }
    }

    /**
     * Derives every flow of {@code flows} for {@code generation} with distinct SPIs, also distinct from
     * {@code reservedSpis} (for example the SPIs of the previous generation during a rekey). Both hosts
     * must pass the same set of flows (the order does not matter) and the same reserved SPIs.
     */
    public Map<Flow, DerivedSa> deriveAll(long generation, Collection<Flow> flows, Set<Long> reservedSpis) {
        List<Flow> sorted = new ArrayList<>(new HashSet<>(flows));
        sorted.sort(Flow.ORDER);
        Set<Long> used = new HashSet<>(reservedSpis);
        Map<Flow, DerivedSa> out = new LinkedHashMap<>();
        for (Flow f : sorted) {
            for (int attempt = 0;; attempt++) {
                DerivedSa d = derive(generation, f.source(), f.destination(), attempt);
                if (used.add(d.spi())) {
                    out.put(f, d);
                    break;
                }
                d.key().wipe();
            }
        }
        return out;
    }

    private static byte[] info(long generation, InetAddress src, InetAddress dst, int attempt) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(LABEL);
        for (int i = 7; i >= 0; i--) {
            o.write((int) (generation >>> (8 * i)));
        }
        byte[] s = src.getAddress();
        byte[] d = dst.getAddress();
        o.write(s.length);
        o.writeBytes(s);
        o.write(d.length);
        o.writeBytes(d);
        o.write(attempt);
        return o.toByteArray();
    }

    /** One direction of one path. */
    public record Flow(InetAddress source, InetAddress destination) {
        static final Comparator<Flow> ORDER = Comparator.comparing((Flow f) -> f.source().getAddress(), Arrays::compareUnsigned)
                .thenComparing(f -> f.destination().getAddress(), Arrays::compareUnsigned);
    }
}
