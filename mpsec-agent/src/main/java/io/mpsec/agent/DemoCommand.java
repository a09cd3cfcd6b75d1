package io.mpsec.agent;

import io.mpsec.agent.demo.DemoOptions;
import io.mpsec.agent.demo.LaneDemo;
import io.mpsec.agent.demo.StreamDemo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the demo. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = {
        "Builds two hosts, PC1 and PC2 (network namespaces, 198.18.0.0/15), joined by N rate-limited paths,",
        "configures them like real hosts, and streams from PC2 to PC1 over MPTCP while the dashboard shows",
        "every path. Path 1 is cut and restored on a schedule; every byte is checked. Needs root.",
        "Ctrl-C (or the end of --duration) removes everything."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--paths", defaultValue = "2", description = "Number of paths (1-8, default ${DEFAULT-VALUE}).")
    int paths;

    @Option(names = "--rate", description = "Rate of each path in Mbit/s (default 100; 5 with --lane, where software emulation carries about 20-30 Mbit/s of ESP).")
    Integer rateMbit;

    @Option(names = "--duration", defaultValue = "0", description = "Seconds to stream; 0 streams until Ctrl-C (default ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--no-faults", description = "Do not cut path 1 (by default: cut after 10 s for 8 s, every 30 s; link down, then blackhole).")
    boolean noFaults;

    @Option(names = "--port", defaultValue = "9464", description = "Dashboard port on 127.0.0.1; 0 for any free one (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--lane", description = "Run the demo inside the kernel lane (a stock Debian kernel under qemu, with ESP), so IPsec goes on every path; the dashboard is forwarded to 127.0.0.1:PORT.")
    boolean lane;

    @Option(names = "--lane-guest", hidden = true, description = "Set by --lane for the demo inside the guest.")
    boolean laneGuest;

    @Override
    public Integer call() throws Exception {
        DemoOptions options;
        int rate = rateMbit != null ? rateMbit : lane || laneGuest ? LaneDemo.DEFAULT_RATE_MBIT : 100;
        try {
            options = new DemoOptions(paths, rate, duration, DemoOptions.faults(!noFaults), port, System.out, laneGuest);
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage());
            return 2;
        }
        return lane ? LaneDemo.run(options, noFaults) : new StreamDemo(options).run();
    }
}
