package io.mpsec.agent.demo;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code demo --lane}: the same demo inside the kernel lane's stock Debian kernel under qemu, which
 * has ESP, so IPsec goes on every path. The guest's dashboard reaches the user's browser through a
 * qemu user-mode port forward that carries nothing else ({@code restrict=on}, host side bound to
 * 127.0.0.1); in the guest it is not on loopback, so it needs the token the guest prints.
 */
public final class LaneDemo {
    /** The guest's address on its user-mode NIC (kernel-lane/run.sh, MPSEC_KL_HOSTFWD). */
    public static final String GUEST_ADDRESS = "198.19.255.15";
    /** Software emulation carries about 20-30 Mbit/s over ESP in total. */
    public static final int DEFAULT_RATE_MBIT = 5;

    private LaneDemo() {
    }

    /**
     * Boots the lane and runs the demo in it; returns the guest's exit code.
     *
     * @param o the demo options (port 0 picks a free one)
     * @param noFaults passed on to the guest's demo
     */
    public static int run(DemoOptions o, boolean noFaults) throws IOException, InterruptedException {
        Path jar = ownJar().orElse(null);
        Optional<Path> lane = laneScript(jar);
        if (jar == null || lane.isEmpty()) {
            System.err.println("demo --lane: needs the MPSec source tree (kernel-lane/run.sh next to mpsec-agent/target/); "
                    + "run it as './mpsec demo --lane' from a checkout");
            return 2;
        }
        int port = o.port() == 0 ? freePort() : o.port();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> guest = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar.toString(),
                "demo", "--lane-guest", "--paths", Integer.toString(o.paths()), "--rate", Integer.toString(o.rateMbit()),
                "--duration", Integer.toString(o.durationSeconds()), "--port", Integer.toString(port)));
        if (noFaults) {
            guest.add("--no-faults");
        }
        Path repo = lane.get().getParent().getParent();
        ProcessBuilder pb = new ProcessBuilder(lane.get().toString()).inheritIO();
        pb.environment().put("MPSEC_KL_COMMAND", "exec " + shellQuote(guest) + " </dev/null");
        pb.environment().put("MPSEC_KL_HOSTFWD", Integer.toString(port));
        pb.environment().put("MPSEC_KL_OUT", repo.resolve("target/kernel-lane-demo").toString());
        pb.environment().put("MPSEC_KL_TIMEOUT", Integer.toString(o.durationSeconds() == 0 ? 7 * 86_400 : o.durationSeconds() + 600));
        System.out.printf("demo --lane: booting a stock Debian kernel with ESP under qemu (software emulation: about a minute"
                + " before the stream starts); the dashboard will be at https://127.0.0.1:%d/%n", port);
        Process p = pb.start();
        Thread stop = new Thread(p::destroy, "mpsec-lane-demo-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            return p.waitFor();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: qemu is being stopped
            }
        }
    }

    static String shellQuote(List<String> args) {
        StringBuilder b = new StringBuilder();
        for (String a : args) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append('\'').append(a.replace("'", "'\\''")).append('\'');
        }
        return b.toString();
    }

    private static Optional<Path> ownJar() {
        try {
            Path p = Path.of(LaneDemo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return Optional.empty();
        }
    }

    /** {@code <repo>/kernel-lane/run.sh} for a jar in {@code <repo>/mpsec-agent/target/}. */
    static Optional<Path> laneScript(Path jar) {
        if (jar == null || jar.getParent() == null || jar.getParent().getParent() == null
                || jar.getParent().getParent().getParent() == null) {
            return Optional.empty();
        }
        Path script = jar.getParent().getParent().getParent().resolve("kernel-lane/run.sh");
        return Files.isExecutable(script) ? Optional.of(script) : Optional.empty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
