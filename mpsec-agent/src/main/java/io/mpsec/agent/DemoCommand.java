package io.mpsec.agent;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the two-path demo. */
@Command(name = "demo", description = {
        "Builds two hosts joined by two 100 Mbit/s paths (network namespaces, 198.18.0.0/15),",
        "then shows MPTCP aggregating both paths and surviving the loss of one. Needs root."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "3", description = "Length of each transfer (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--rate", defaultValue = "100", description = "Per-path HTB rate in Mbit/s (default ${DEFAULT-VALUE}).")
    int rateMbit;

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || seconds > 60) {
            System.err.println("--seconds must be 1-60, got " + seconds);
            return 2;
        }
        if (rateMbit < 1 || rateMbit > 10_000) {
            System.err.println("--rate must be 1-10000 Mbit/s, got " + rateMbit);
            return 2;
        }
        return new TwoPathDemo(seconds, rateMbit).run();
    }
}
