package io.mpsec.agent.doctor;

import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.xfrm.EspUnsupportedException;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.ipsec.xfrm.msg.SaId;
import io.mpsec.kernel.ffi.Syscalls;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether the kernel installs ESP SAs with MPSec's AEAD, {@code rfc4106(gcm(aes))}: measured, never
 * assumed from the kernel version or /proc. A throwaway thread moves into a private, empty network
 * namespace ({@code unshare(CLONE_NEWNET)}), adds one ESP transport SA per address family with a
 * random key (XFRM_MSG_NEWSA, which loads esp4/esp6 and gcm on demand), deletes it and ends; the
 * namespace disappears with the thread, so nothing of the probe is left anywhere. ESP support is a
 * property of the kernel, the same in every namespace.
 */
final class EspProbe {
    /** Outcome for one address family. */
    enum Verdict { PRESENT, MISSING, UNKNOWN }

    /** The verdict with what the kernel said. */
    record Outcome(Verdict verdict, String detail) {
    }

    /** The two families probed. */
    enum Family {
        IPV4("198.18.0.1", "198.18.0.2"),
        IPV6("2001:2::1", "2001:2::2");

        final String src;
        final String dst;

        Family(String src, String dst) {
            this.src = src;
            this.dst = dst;
        }
    }

    private static final long TIMEOUT_MS = 10_000;

    private EspProbe() {
    }

    static Map<Family, Outcome> probe() {
        AtomicReference<Map<Family, Outcome>> result = new AtomicReference<>();
        Thread t = new Thread(() -> result.set(inPrivateNamespace()), "mpsec-esp-probe");
        t.setDaemon(true);
        t.start();
        try {
            t.join(TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<Family, Outcome> r = result.get();
        if (r == null) {
            Map<Family, Outcome> out = new EnumMap<>(Family.class);
            for (Family f : Family.values()) {
                out.put(f, new Outcome(Verdict.UNKNOWN, "the probe did not finish within " + TIMEOUT_MS + " ms"));
            }
            return out;
        }
        return r;
    }

    /** Runs on the throwaway thread; after unshare it is alone in a new network namespace. */
    private static Map<Family, Outcome> inPrivateNamespace() {
        Map<Family, Outcome> out = new EnumMap<>(Family.class);
        if (Syscalls.libc().unshare(Syscalls.CLONE_NEWNET) < 0) {
            int errno = Syscalls.errno();
            for (Family f : Family.values()) {
                out.put(f, new Outcome(Verdict.UNKNOWN, "cannot create a private network namespace for the probe: unshare("
                        + "CLONE_NEWNET) failed: " + Syscalls.strerror(errno) + " (needs CAP_SYS_ADMIN: run doctor as root)"));
            }
            return out;
        }
        SecureRandom random = new SecureRandom();
        try (XfrmClient xfrm = XfrmClient.open()) {
            for (Family f : Family.values()) {
                out.put(f, probe(xfrm, f, random));
            }
        } catch (Exception e) {
            for (Family f : Family.values()) {
                out.putIfAbsent(f, new Outcome(Verdict.UNKNOWN, "xfrm netlink failed: " + e.getMessage()));
            }
        }
        return out;
    }

    private static Outcome probe(XfrmClient xfrm, Family f, SecureRandom random) throws Exception {
        InetAddress src = InetAddress.getByName(f.src);
        InetAddress dst = InetAddress.getByName(f.dst);
        long spi = SecurityAssociation.MIN_SPI + (random.nextInt() & 0x0fffffffL);
        byte[] key = new byte[16 + SaAlgorithm.GCM_SALT_BYTES];
        random.nextBytes(key);
        SecretBytes secret = SecretBytes.wrap(key);
        try {
            SecurityAssociation sa = SecurityAssociation.builder().source(src).destination(dst).spi(spi)
                    .algorithm(SaAlgorithm.aesGcm(secret)).build();
            xfrm.addSa(sa);
            xfrm.deleteSa(new SaId(src, dst, spi));
            return new Outcome(Verdict.PRESENT, "an ESP SA with " + SaAlgorithm.RFC4106_GCM_AES + " was added and deleted");
        } catch (EspUnsupportedException e) {
            return new Outcome(Verdict.MISSING, e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
        } catch (Exception e) {
            return new Outcome(Verdict.UNKNOWN, "the probe SA was refused for another reason: " + e.getMessage());
        } finally {
            secret.wipe();
        }
    }
}
