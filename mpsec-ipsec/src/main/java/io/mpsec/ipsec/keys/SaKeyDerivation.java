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
 * so that both hosts compute the same SAs from the same key file and generation. Derivation version 2.
 *
 * <p><b>SPI layout.</b> A 32-bit SPI is {@code (G << 12) | F}: {@code G} is the key generation
 * (1..{@value #MAX_GENERATION}, 20 bits) and {@code F} (12 bits) tells the flows of a generation apart.
 * SPIs of different generations never collide, an SPI is never 0 nor in the IANA-reserved 1-255, and a
 * receiver reads the sender's generation from any ESP packet ({@link #generationOfSpi}).
 *
 * <p><b>Derivation.</b> {@code PRK = HKDF-Extract(salt = "mpsec-ipsec/v2", IKM = master key)}. For the
 * flow {@code src -> dst} of generation {@code G}, with every integer big-endian:
 * <pre>
 * FLOW = u8 len(alg) || alg ("rfc4106(gcm(aes))", ASCII) || u16 AES key bits || u32 G
 *        || u8 direction (0 if src &lt; dst as unsigned bytes, else 1)
 *        || u8 len(src) || src || u8 len(dst) || dst                 (address bytes: 4 or 16)
 * key || salt = HKDF-Expand(PRK, "mpsec esp key" || 0x00 || FLOW, AES key bytes + 4)
 * F(attempt)  = u16(HKDF-Expand(PRK, "mpsec esp spi" || 0x00 || FLOW || u32 attempt, 2)) &amp; 0xfff
 * </pre>
 * The info binds the algorithm, the key length, the generation, both addresses and the direction, so
 * no two SAs share a key. Flows are taken in a fixed order both hosts share (source address, then
 * destination address, as unsigned bytes); each takes the first {@code F(attempt)}, attempt = 0, 1, ...,
 * not yet taken by an earlier flow, so all flows of a generation get distinct SPIs on both hosts alike.
 * At most {@value #MAX_FLOWS} flows fit in one generation.
 *
 * <p>The known-answer vectors in {@code src/test/resources/keys/kat-v2.txt}, computed by an independent
 * Python implementation next to them, pin this derivation so that MPSec versions keep interoperating.
 */
public final class SaKeyDerivation {
    /** The largest key generation an SPI can carry (20 bits). */
    public static final int MAX_GENERATION = 0xFFFFF;
    /** The most flows (SAs) one generation can hold (12 bits of SPI). */
    public static final int MAX_FLOWS = 1 << 12;
    /** The algorithm whose keys are derived (bound into the HKDF info). */
    public static final String ALGORITHM = "rfc4106(gcm(aes))";
    private static final int FLOW_BITS = 12;
    private static final byte[] SALT = "mpsec-ipsec/v2".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_LABEL = "mpsec esp key".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SPI_LABEL = "mpsec esp spi".getBytes(StandardCharsets.US_ASCII);
    /** The fingerprint keeps its version 1 definition: it names the master key in the reuse ledger. */
    private static final byte[] FINGERPRINT_SALT = "mpsec-ipsec/v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FINGERPRINT_LABEL = "mpsec key fingerprint".getBytes(StandardCharsets.US_ASCII);

    private final SecretBytes master;
    private final int aesKeyBits;

    /**
     * @param master the 256-bit master key (not copied; wiping it makes this object unusable)
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
        this.aesKeyBits = aesKeyBits;
    }

    /** The key generation carried in the top 20 bits of an SPI MPSec derived. */
    public static long generationOfSpi(long spi) {
        return (spi & 0xffffffffL) >>> FLOW_BITS;
    }

    /** A non-secret label of the master key (first 8 bytes of an HKDF output), for logs and the reuse ledger. */
    public String fingerprint() {
        try (SecretBytes fp = Hkdf.derive(FINGERPRINT_SALT, master, FINGERPRINT_LABEL, 8)) {
            byte[] b = fp.copy();
            String s = java.util.HexFormat.of().formatHex(b);
            Arrays.fill(b, (byte) 0);
            return s;
        }
    }

    /**
     * One flow with a given SPI attempt counter, without collision handling against other flows
     * ({@link #deriveAll} does that).
     */
    public DerivedSa derive(long generation, InetAddress src, InetAddress dst, int attempt) {
        checkGeneration(generation);
        try (SecretBytes prk = Hkdf.extract(SALT, master); Hkdf.Expander hkdf = new Hkdf.Expander(prk)) {
            return derived(hkdf, generation, src, dst, flowIndex(hkdf, generation, src, dst, attempt));
        }
    }

    /**
     * Derives every flow of {@code flows} for {@code generation}, with SPIs distinct within the
     * generation (and, by construction, from every other generation). Both hosts must pass the same
     * set of flows; the order does not matter.
     *
     * @throws IllegalArgumentException for generation 0, a generation above {@value #MAX_GENERATION}
     *         (rotate the master key) or more than {@value #MAX_FLOWS} flows
     */
    public Map<Flow, DerivedSa> deriveAll(long generation, Collection<Flow> flows) {
        checkGeneration(generation);
        List<Flow> sorted = new ArrayList<>(new HashSet<>(flows));
        if (sorted.size() > MAX_FLOWS) {
            throw new IllegalArgumentException(sorted.size() + " flows in one key generation, at most " + MAX_FLOWS
                    + " fit (the SPI has 12 bits to tell a generation's flows apart); protect fewer address pairs");
        }
        sorted.sort(Flow.ORDER);
        Map<Flow, DerivedSa> out = new LinkedHashMap<>();
        boolean[] used = new boolean[MAX_FLOWS];
        try (SecretBytes prk = Hkdf.extract(SALT, master); Hkdf.Expander hkdf = new Hkdf.Expander(prk)) {
            for (Flow f : sorted) {
                int index = -1;
                for (int attempt = 0; index < 0; attempt++) {
                    int candidate = flowIndex(hkdf, generation, f.source(), f.destination(), attempt);
                    if (!used[candidate]) {
                        used[candidate] = true;
                        index = candidate;
                    }
                }
                out.put(f, derived(hkdf, generation, f.source(), f.destination(), index));
            }
        } catch (RuntimeException e) {
            out.values().forEach(d -> d.key().wipe());
            throw e;
        }
        return out;
    }

    /**
     * Version 1 signature, kept so callers compile. {@code reservedSpis} no longer matters: SPIs of
     * different generations cannot collide (the generation is in the SPI). An SPI of this same generation
     * in the set is a caller error.
     *
     * @deprecated use {@link #deriveAll(long, Collection)}
     */
    @Deprecated
    public Map<Flow, DerivedSa> deriveAll(long generation, Collection<Flow> flows, Set<Long> reservedSpis) {
        Map<Flow, DerivedSa> out = deriveAll(generation, flows);
        for (DerivedSa d : out.values()) {
            if (reservedSpis.contains(d.spi())) {
                out.values().forEach(x -> x.key().wipe());
                throw new IllegalArgumentException("SPI 0x" + Long.toHexString(d.spi()) + " of generation " + generation
                        + " is reserved by the caller; SPIs of one generation are derived, not chosen");
            }
        }
        return out;
    }

    private static void checkGeneration(long generation) {
        if (generation < 1 || generation > MAX_GENERATION) {
            throw new IllegalArgumentException("key generation " + generation + " is outside 1.." + MAX_GENERATION
                    + (generation > MAX_GENERATION ? ", the largest generation an SPI can carry: rotate the master key "
                    + "(generate a new one with 'mpsec keygen', copy it to the peer, and start again at generation 1)" : ""));
        }
    }

    private int flowIndex(Hkdf.Expander hkdf, long generation, InetAddress src, InetAddress dst, int attempt) {
        byte[] info = info(SPI_LABEL, generation, src, dst, true, attempt);
        try (SecretBytes okm = hkdf.expand(info, 2)) {
            byte[] b = okm.copy();
            int f = ((b[0] & 0xff) << 8 | (b[1] & 0xff)) & (MAX_FLOWS - 1);
            Arrays.fill(b, (byte) 0);
            return f;
        }
    }

    private DerivedSa derived(Hkdf.Expander hkdf, long generation, InetAddress src, InetAddress dst, int index) {
        int keyLen = aesKeyBits / 8 + SaAlgorithm.GCM_SALT_BYTES;
        SecretBytes key = hkdf.expand(info(KEY_LABEL, generation, src, dst, false, 0), keyLen);
        return new DerivedSa(src, dst, generation, generation << FLOW_BITS | index, key);
    }

    private byte[] info(byte[] label, long generation, InetAddress src, InetAddress dst, boolean withAttempt, int attempt) {
        byte[] s = src.getAddress();
        byte[] d = dst.getAddress();
        byte[] alg = ALGORITHM.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(label);
        o.write(0);
        o.write(alg.length);
        o.writeBytes(alg);
        o.write(aesKeyBits >>> 8);
        o.write(aesKeyBits);
        writeU32(o, generation);
        o.write(Arrays.compareUnsigned(s, d) < 0 ? 0 : 1);
        o.write(s.length);
        o.writeBytes(s);
        o.write(d.length);
        o.writeBytes(d);
        if (withAttempt) {
            writeU32(o, attempt);
        }
        return o.toByteArray();
    }

    private static void writeU32(ByteArrayOutputStream o, long v) {
        for (int i = 3; i >= 0; i--) {
            o.write((int) (v >>> (8 * i)));
        }
    }

    /** One direction of one path. */
    public record Flow(InetAddress source, InetAddress destination) {
        static final Comparator<Flow> ORDER = Comparator.comparing((Flow f) -> f.source().getAddress(), Arrays::compareUnsigned)
                .thenComparing(f -> f.destination().getAddress(), Arrays::compareUnsigned);
    }
}
