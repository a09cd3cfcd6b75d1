package io.mpsec.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Gatekeeper for tests that need root: network namespaces, veth, tc, nft.
 *
 * <p>When something is missing, the test is <em>aborted</em> (reported as skipped) with a message that
 * says what is missing and how to run it. With {@code -Dmpsec.requireRoot=true} (set by
 * {@code ./mpsec test} as root, and so by CI) the same situation <em>fails</em> the test instead,
 * so a CI run can never pass by skipping.
 */
public final class Privileged {
    /** System property that turns a skip into a failure. */
    public static final String REQUIRE_ROOT_PROPERTY = "mpsec.requireRoot";

    // include/uapi/linux/capability.h (Linux 6.1)
    static final int CAP_NET_ADMIN = 12;
    static final int CAP_SYS_ADMIN = 21;

    private static final String HOW_TO_RUN = "Run the privileged tests as root: 'sudo ./mpsec test' "
            + "(or 'sudo mvn verify'). With -D" + REQUIRE_ROOT_PROPERTY + "=true a missing requirement fails instead of skipping.";
    private static volatile String baseProblem;
    private static volatile boolean baseChecked;

    private Privileged() {
    }

    /**
     * Makes sure the current process can build namespaces: effective uid 0 (or CAP_SYS_ADMIN and
     * CAP_NET_ADMIN), the iproute2 tools {@code ip} and {@code tc}, and a working {@code ip netns}.
     * Aborts the test otherwise (fails under {@code -Dmpsec.requireRoot=true}).
     */
    public static void require() {
        String problem = baseProblem();
        if (problem != null) {
            unavailable(problem);
        }
    }

    /**
     * Makes sure an external tool is installed, e.g. {@code requireTool("nft", "nftables")}; returns
     * its absolute path. Aborts the test otherwise (fails under {@code -Dmpsec.requireRoot=true}).
     */
    public static Path requireTool(String tool, String debianPackage) {
        Optional<Path> found = findTool(tool);
        if (found.isEmpty()) {
            unavailable("the tool '" + tool + "' is not installed; install the Debian package '" + debianPackage
                    + "' (apt-get install --no-install-recommends " + debianPackage
                    + "; './mpsec test' as root installs every test package listed in scripts/test-packages.txt)");
        }
        return found.get();
    }

    /** Whether {@code -Dmpsec.requireRoot=true} is set. */
    public static boolean strict() {
        return Boolean.parseBoolean(System.getProperty(REQUIRE_ROOT_PROPERTY, "false"));
    }

    /** Skips (or, when strict, fails) the current test with {@code reason} and the how-to-run hint. */
    public static void unavailable(String reason) {
        String message = "privileged test cannot run: " + reason + ". " + HOW_TO_RUN;
        if (strict()) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message);
    }

    /** Finds an executable on PATH, then in the sbin/bin directories (sbin is often off PATH for non-root users). */
    public static Optional<Path> findTool(String tool) {
        if (tool.contains("/")) {
            Path p = Path.of(tool);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        return io.mpsec.kernel.netns.NamespaceTool.find(tool);
    }

    /** The absolute path of {@code ip} (iproute2), after {@link #require()} passed. */
    static String ip() {
        return findTool("ip").map(Path::toString).orElse("ip");
    }

    /** The absolute path of {@code tc} (iproute2), after {@link #require()} passed. */
    static String tc() {
        return findTool("tc").map(Path::toString).orElse("tc");
    }

    private static String baseProblem() {
        if (!baseChecked) {
            synchronized (Privileged.class) {
                if (!baseChecked) {
                    baseProblem = probe();
                    baseChecked = true;
                }
            }
        }
        return baseProblem;
    }

    private static String probe() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return "network namespaces need Linux (this is " + System.getProperty("os.name") + ")";
        }
        List<String> missing = new ArrayList<>();
        Status status = Status.read();
        if (status.euid != 0) {
            missing.add("not running as root (effective uid " + status.euid + ")");
        }
        if (!status.hasCapability(CAP_SYS_ADMIN)) {
            missing.add("CAP_SYS_ADMIN missing (needed for setns/ip netns)");
        }
        if (!status.hasCapability(CAP_NET_ADMIN)) {
            missing.add("CAP_NET_ADMIN missing (needed for veth, addresses, tc)");
        }
        if (findTool("ip").isEmpty() || findTool("tc").isEmpty()) {
            missing.add("the iproute2 tools 'ip' and 'tc' are not installed (Debian package 'iproute2')");
        }
        if (missing.isEmpty()) {
            ExecResult r = Shell.run(List.of(ip(), "netns", "list"));
            if (!r.ok()) {
                missing.add("'ip netns list' does not work: " + r.stderr().strip());
            }
        }
        return missing.isEmpty() ? null : String.join("; ", missing);
    }

    /** The parts of /proc/self/status the probe needs. */
    record Status(long euid, long capEff) {
        static Status read() {
            long euid = -1;
            long capEff = 0;
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("Uid:")) {
                        euid = Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                    } else if (line.startsWith("CapEff:")) {
                        capEff = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // leave the defaults: "not root, no capabilities" gives a clear skip message
            }
            return new Status(euid, capEff);
        }

        boolean hasCapability(int cap) {
            return (capEff & (1L << cap)) != 0;
        }
    }
}
