package io.mpsec.agent;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The MPSec reference agent. */
@Command(name = "mpsec", mixinStandardHelpOptions = true, versionProvider = AgentVersion.class,
        description = "MPSec agent: resilient, encrypted multipath networking (MPTCP + IPsec).",
        subcommands = {DemoCommand.class, DoctorCommand.class, KeygenCommand.class, ServeCommand.class, StatusCommand.class,
                InstallServiceCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
