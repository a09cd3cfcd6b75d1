package io.mpsec.agent.demo;

import java.io.PrintStream;

/**
 * What the user asked the demo for.
 *
 * @param paths number of paths between PC1 and PC2 (1-8)
 * @param rateMbit HTB rate of each path in Mbit/s
 * @param durationSeconds how long to stream; 0 streams until Ctrl-C
 * @param faults when to cut and restore path 1
 * @param port the dashboard's TCP port (0 for any free one)
 * @param out where the running report goes
 * @param laneGuest true inside the kernel lane's guest: the dashboard listens on the guest's NIC
 *     ({@link LaneDemo#GUEST_ADDRESS}) with TLS and a token
 */
public record DemoOptions(int paths, int rateMbit, int durationSeconds, FaultSchedule faults, int port, PrintStream out,
                          boolean laneGuest) {
    /** Checks the ranges, saying what is allowed. */
    public DemoOptions {
        if (paths < 1 || paths > 8) {
            throw new IllegalArgumentException("--paths must be 1-8, got " + paths);
        }
        if (rateMbit < 1 || rateMbit > 10_000) {
            throw new IllegalArgumentException("--rate must be 1-10000 Mbit/s, got " + rateMbit);
        }
        if (durationSeconds < 0 || durationSeconds > 86_400) {
            throw new IllegalArgumentException("--duration must be 0 (until Ctrl-C) to 86400 s, got " + durationSeconds);
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--port must be 0-65535, got " + port);
        }
    }

    /** The standard fault schedule, or none. */
    public static FaultSchedule faults(boolean enabled) {
        return enabled ? FaultSchedule.standard() : FaultSchedule.none();
    }
}
