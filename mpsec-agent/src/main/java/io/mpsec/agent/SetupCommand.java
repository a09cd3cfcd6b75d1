package io.mpsec.agent;

import io.mpsec.agent.config.ConfigException;
import io.mpsec.agent.config.ConfigLoader;
import io.mpsec.agent.config.MpsecConfig;
import io.mpsec.agent.setup.SetupEngine;
import io.mpsec.agent.setup.SetupException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Applies the configuration to a network namespace, or undoes the last run. */
@Command(name = "setup", description = {
        "Brings MPTCP sysctls, limits, endpoints, source routing and IPsec secure paths to what FILE says.",
        "Prints the plan as a diff (- old / + new), saves a snapshot of every item it touches to the state",
        "directory, then applies; a failure rolls back what the run applied (secure paths stay BLOCKED, never",
        "in clear). A second run prints 'no changes'. --undo restores the snapshot.",
        "Exit codes: 0 done (or no changes), 1 refused or failed with nothing changed, 2 failed after changes",
        "(the message says what is left), 3 bad configuration."})
final class SetupCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The configuration, e.g. /etc/mpsec/mpsec.yaml.")
    Path config;

    @Option(names = "--netns", paramLabel = "NAME", description = "Apply inside this network namespace (ip netns); default: this one.")
    String netns;

    @Option(names = "--dry-run", description = "Print the plan and change nothing.")
    boolean dryRun;

    @Option(names = "--undo", description = "Restore the snapshot saved by the last setup run that changed something.")
    boolean undo;

    @Option(names = "--yes", description = "With --undo: also when that puts the peers back in clear (no IPsec).")
    boolean yes;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/var/lib/mpsec",
            description = "Where snapshots are kept, per namespace (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Override
    public Integer call() {
        if (yes && !undo) {
            System.err.println("setup: --yes only applies to --undo");
            return 1;
        }
        SetupEngine engine = new SetupEngine(stateDir, System.out);
        try {
            if (undo) {
                engine.undo(netns, yes, dryRun);
            } else {
                MpsecConfig c = ConfigLoader.load(config);
                engine.setup(c, config.toString(), netns, dryRun);
            }
            return 0;
        } catch (ConfigException e) {
            System.err.println("setup: " + e.getMessage());
            return 3;
        } catch (SetupException e) {
            System.err.println("setup: " + e.getMessage());
            return e.changedNothing() ? 1 : 2;
        }
    }
}
