package io.mpsec.bench;

import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.ipsec.xfrm.msg.SaId;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Control plane of the SAs: ESP SA add + delete pairs per second in a fresh namespace, through
 * MPSec's xfrm binding ({@link XfrmClient}: one XFRM_MSG_NEWSA / XFRM_MSG_DELSA request and its
 * acknowledgement per operation) against {@code ip -batch} with the same SAs ({@code ip xfrm state
 * add ... / delete ...}; its time includes starting the process, as a script calling it would pay).
 * Each run adds {@code sas} SAs (198.18.1.1 -> 198.18.1.2, transport, {@code rfc4106(gcm(aes))} with a
 * 256-bit key, ESN, replay window 128: MPSec's defaults) and deletes them again. The two alternate
 * {@code rounds} times after one unmeasured warm-up of each; the figure is the median ratio.
 *
 * <p>Before the timed rounds one checked pass of each tool compares with iproute2's view: after the
 * adds {@code ip xfrm state count} must say {@code sas}, the SAs both tools install must list alike
 * in {@code ip xfrm state list nokeys}, and after the deletes the count must be 0. Keys are random per
 * run; they reach only the batch file (mode 600, deleted afterwards) and the kernel, never output.
 * Needs ESP (the kernel lane).
 */
final class SaControlPlane {
    private static final Pattern COUNT = Pattern.compile("SAD count (\\d+)");
    private static final Pattern KEY_HEX = Pattern.compile("0x[0-9a-fA-F]{16,}");
    private static final long SPI_BASE = 0x4d500000L;

    private SaControlPlane() {
    }

    /** Runs the figure; the record holds the medians, every round and the checked pass. */
    static Map<String, Object> run(int sas, int rounds) throws Exception {
        if (sas < 1 || sas > 100_000 || rounds < 1) {
            throw new IllegalArgumentException("sas must be 1..100000 and rounds >= 1, not " + sas + " and " + rounds);
        }
        String ns = String.format("mpsec-%d-%06x-x", ProcessHandle.current().pid(), ThreadLocalRandom.current().nextInt(1 << 24));
        Path dir = Files.createTempDirectory("mpsec-bench-sa", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path add = dir.resolve("add.batch");
        Path del = dir.resolve("del.batch");
        Path both = dir.resolve("both.batch");
        List<SecurityAssociation> list = new ArrayList<>();
        BenchNet.run("ip", "netns", "add", ns);
        try (NetNamespace n = NetNamespace.open(ns); XfrmClient x = XfrmClient.open(n)) {
            StringBuilder a = new StringBuilder();
            StringBuilder d = new StringBuilder();
            InetAddress src = InetAddress.getByName("198.18.1.1");
            InetAddress dst = InetAddress.getByName("198.18.1.2");
            SecureRandom random = new SecureRandom();
            for (int i = 0; i < sas; i++) {
                byte[] key = new byte[36];
                random.nextBytes(key);
                long spi = SPI_BASE + i;
                list.add(SecurityAssociation.builder().source(src).destination(dst).spi(spi).reqid(1)
                        .algorithm(SaAlgorithm.aesGcm(SecretBytes.copyOf(key))).build());
                a.append("xfrm state add src 198.18.1.1 dst 198.18.1.2 proto esp spi ").append(String.format("0x%08x", spi))
                        .append(" reqid 1 mode transport replay-window 128 flag esn aead rfc4106(gcm(aes)) 0x")
                        .append(HexFormat.of().formatHex(key)).append(" 128\n");
                java.util.Arrays.fill(key, (byte) 0);
                d.append("xfrm state delete src 198.18.1.1 dst 198.18.1.2 proto esp spi ").append(String.format("0x%08x", spi)).append('\n');
            }
            Files.writeString(add, a, StandardCharsets.UTF_8);
            Files.writeString(del, d, StandardCharsets.UTF_8);
            Files.writeString(both, a.append(d), StandardCharsets.UTF_8);

            Map<String, Object> out = new LinkedHashMap<>();
            out.put("sas", sas);
            out.put("rounds", rounds);
            out.putAll(check(ns, x, list, add, del));

            mpsec(ns, x, list);
            ipBatch(ns, x, both);
            List<Double> ratio = new ArrayList<>();
            List<Double> m = new ArrayList<>();
            List<Double> ip = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                double pm = mpsec(ns, x, list);
                double pi = ipBatch(ns, x, both);
                m.add(pm);
                ip.add(pi);
                ratio.add(pm / pi);
                System.out.printf("[lane] SA control plane round %d: MPSec %.0f pairs/s, ip -batch %.0f pairs/s, ratio %.2f%n", r, pm, pi, pm / pi);
            }
            out.put("mpsecPerSecond", EfficiencyMain.median(m));
            out.put("ipBatchPerSecond", EfficiencyMain.median(ip));
            out.put("ratio", EfficiencyMain.median(ratio));
            out.put("roundRatios", ratio);
            out.put("roundMpsec", m);
            out.put("roundIpBatch", ip);
            out.put("leftAfter", x.dumpSas().size());
            out.put("ipCountAfter", ipCount(ns));
            return out;
        } finally {
            for (Path p : List.of(add, del, both)) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
            try {
                BenchNet.run("ip", "netns", "del", ns);
            } catch (IOException e) {
                System.err.println("[lane] could not delete namespace " + ns + ": " + redact(e.getMessage()));
            }
        }
    }

    /** The checked pass: counts and listings through iproute2 after each tool's adds and deletes. */
    private static Map<String, Object> check(String ns, XfrmClient x, List<SecurityAssociation> list, Path add, Path del) throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        for (SecurityAssociation sa : list) {
            x.addSa(sa);
        }
        c.put("ipCountAfterMpsecAdd", ipCount(ns));
        c.put("dumpAfterMpsecAdd", x.dumpSas().size());
        String viaMpsec = listing(ns);
        for (SecurityAssociation sa : list) {
            x.deleteSa(new SaId(sa.source(), sa.destination(), sa.spi()));
        }
        c.put("ipCountAfterMpsecDelete", ipCount(ns));
        ip(ns, add);
        c.put("ipCountAfterIpAdd", ipCount(ns));
        String viaIp = listing(ns);
        ip(ns, del);
        c.put("ipCountAfterIpDelete", ipCount(ns));
        c.put("sameListing", viaMpsec.equals(viaIp));
        if (!viaMpsec.equals(viaIp)) {
            System.out.println("[lane] SA listings differ; MPSec's first SA:\n" + firstBlock(viaMpsec) + "\nip's first SA:\n" + firstBlock(viaIp));
        }
        return c;
    }

    /** Add + delete pairs per second through MPSec's binding. */
    private static double mpsec(String ns, XfrmClient x, List<SecurityAssociation> list) throws IOException {
        long t0 = System.nanoTime();
        for (SecurityAssociation sa : list) {
            x.addSa(sa);
        }
        for (SecurityAssociation sa : list) {
            x.deleteSa(new SaId(sa.source(), sa.destination(), sa.spi()));
        }
        long t1 = System.nanoTime();
        checkEmpty(x, "MPSec");
        return list.size() / ((t1 - t0) / 1e9);
    }

    /** Add + delete pairs per second through {@code ip -batch} (one process for both halves). */
    private static double ipBatch(String ns, XfrmClient x, Path both) throws IOException {
        long t0 = System.nanoTime();
        ip(ns, both);
        long t1 = System.nanoTime();
        checkEmpty(x, "ip -batch");
        long lines;
        try (var s = Files.lines(both)) {
            lines = s.count();
        }
        return lines / 2 / ((t1 - t0) / 1e9);
    }

    private static void checkEmpty(XfrmClient x, String who) throws IOException {
        int left = x.dumpSas().size();
        if (left != 0) {
            throw new IllegalStateException(who + " left " + left + " SAs behind: the add/delete run did not complete");
        }
    }

    private static void ip(String ns, Path batch) throws IOException {
        try {
            BenchNet.run("ip", "-n", ns, "-batch", batch.toString());
        } catch (IOException e) {
            throw new IOException(redact(e.getMessage()));
        }
    }

    /** {@code ip xfrm state count}: the kernel's SAD count. */
    static int ipCount(String ns) throws IOException {
        String out = BenchNet.output("ip", "-n", ns, "xfrm", "state", "count");
        Matcher m = COUNT.matcher(out);
        if (!m.find()) {
            throw new IOException("unexpected 'ip xfrm state count' output: " + redact(out.strip()));
        }
        return Integer.parseInt(m.group(1));
    }

    /** {@code ip xfrm state list nokeys}, SAs sorted, the "add"/"use" timestamps removed (they differ between the passes). */
    private static String listing(String ns) throws IOException {
        String out = redact(BenchNet.output("ip", "-n", ns, "xfrm", "state", "list", "nokeys"));
        String[] blocks = out.replaceAll("(?m)^\\s*(add|use) \\d{4}-.*$", "").split("(?m)^(?=src )");
        java.util.Arrays.sort(blocks);
        return String.join("", blocks);
    }

    private static String firstBlock(String listing) {
        String[] b = listing.split("(?m)^(?=src )");
        return b.length > 1 ? b[1] : listing;
    }

    /** Anything key-like out of a text. */
    static String redact(String s) {
        return s == null ? null : KEY_HEX.matcher(s).replaceAll("<redacted>");
    }
}
