package io.mpsec.agent;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The MPSec reference agent. */
@Command(name = "mpsec", mixinStandardHelpOptions = true, versionProvider = AgentVersion.class,
        description = "MPSec agent: resilient, encrypted multipath networking (MPTCP + IPsec).",
        subcommands = {DemoCommand.class, SetupCommand.class, BlockCommand.class, ServeCommand.class, StatusCommand.class,
                DoctorCommand.class, InstallServiceCommand.class, KeygenCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
