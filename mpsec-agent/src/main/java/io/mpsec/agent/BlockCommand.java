package io.mpsec.agent;

import io.mpsec.agent.config.ConfigException;
import io.mpsec.agent.config.ConfigLoader;
import io.mpsec.agent.setup.BlockEngine;
import io.mpsec.agent.setup.SetupException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Blocks every configured peer pair until setup or the agent protects it (early boot). */
@Command(name = "block", description = {
        "Installs MPSec's BLOCK policies for every securePaths peer pair in FILE (idempotent), so that no",
        "traffic to the peers leaves in clear before the agent protects it. Meant for an early-boot unit",
        "that runs before the network; a later setup or agent apply replaces the policies.",
        "Exit codes: 0 done, 1 refused (nothing changed), 2 failed, 3 bad configuration."})
final class BlockCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The configuration, e.g. /etc/mpsec/mpsec.yaml.")
    Path config;

    @Option(names = "--netns", paramLabel = "NAME", description = "Inside this network namespace (ip netns); default: this one.")
    String netns;

    @Override
    public Integer call() {
        try {
            new BlockEngine(System.out).block(ConfigLoader.load(config), netns);
            return 0;
        } catch (ConfigException e) {
            System.err.println("block: " + e.getMessage());
            return 3;
        } catch (SetupException e) {
            System.err.println("block: " + e.getMessage());
            return e.changedNothing() ? 1 : 2;
        }
    }
}
