package io.mpsec.agent;

import io.mpsec.agent.service.NamespaceDetector;
import io.mpsec.agent.service.ServiceOptions;
import io.mpsec.agent.service.Systemd;
import io.mpsec.agent.service.UnitFiles;
import io.mpsec.agent.service.UnitInstaller;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes and enables the agent's systemd units: the early kill switch and the agent service. */
@Command(name = "install-service", mixinStandardHelpOptions = true, description = {
        "Writes two systemd units and enables them:",
        "  mpsec-killswitch.service  early in boot, before the network: 'mpsec-agent block', so the configured",
        "                            peers are blocked (never in clear) until the agent protects them;",
        "  mpsec-agent.service       'mpsec-agent serve --config FILE', hardened, requiring the kill switch.",
        "Idempotent: files already up to date are left alone. CAP_SYS_ADMIN is granted only with --namespaces",
        "or when the config has a non-empty 'netns' key."})
public final class InstallServiceCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "The agent's configuration (default: ${DEFAULT-VALUE}).")
    Path config = ServiceOptions.DEFAULT_CONFIG;

    @Option(names = "--unit-dir", paramLabel = "DIR", description = "Where to write the units (default: ${DEFAULT-VALUE}).")
    Path unitDir = Path.of("/etc/systemd/system");

    @Option(names = "--binary", paramLabel = "PATH", description = "The agent launcher the units run (default: ${DEFAULT-VALUE}).")
    Path binary = ServiceOptions.DEFAULT_BINARY;

    @Option(names = "--namespaces", negatable = true, description = {
            "--namespaces grants CAP_SYS_ADMIN (the agent enters network namespaces), --no-namespaces never does;",
            "without either, the config decides (a non-empty 'netns' key)."})
    Boolean namespaces;

    @Option(names = "--no-enable", description = "Only write the units; do not run systemctl.")
    boolean noEnable;

    @Option(names = "--dry-run", description = "Print what would be written and run; change nothing.")
    boolean dryRun;

    private final Systemd systemd;

    /** Uses the host's systemd. */
    public InstallServiceCommand() {
        this(Systemd.host());
    }

    InstallServiceCommand(Systemd systemd) {
        this.systemd = systemd;
    }

    /** Runs only this command, e.g. {@code java -cp mpsec-agent-all.jar io.mpsec.agent.InstallServiceCommand --unit-dir DIR}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new InstallServiceCommand()).execute(args));
    }

    @Override
    public Integer call() {
        PrintStream out = System.out;
        try {
            boolean withNamespaces = namespaces != null ? namespaces : fromConfig(out);
            ServiceOptions options = new ServiceOptions(binary.toAbsolutePath().normalize(), config.toAbsolutePath().normalize(), withNamespaces);
            if (!Files.isExecutable(options.binary())) {
                out.println("note: " + options.binary() + " does not exist here; install the mpsec package (or give --binary)"
                        + " before starting the units");
            }
            Map<String, String> units = UnitFiles.render(options);
            UnitInstaller installer = new UnitInstaller(unitDir, systemd);
            List<UnitInstaller.Change> changes = installer.write(units, dryRun);
            for (UnitInstaller.Change c : changes) {
                out.println((dryRun ? "would write " : "") + describe(c));
                if (dryRun && c.outcome() != UnitInstaller.Outcome.UNCHANGED) {
                    out.println(units.get(c.file().getFileName().toString()).indent(4).stripTrailing());
                }
            }
            enable(installer, out);
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("install-service: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("install-service: " + e.getMessage());
            return 1;
        }
    }

    private boolean fromConfig(PrintStream out) throws IOException {
        if (!Files.exists(config)) {
            out.println("note: " + config + " does not exist yet; the units refer to it. Without --namespaces they get"
                    + " no CAP_SYS_ADMIN (rerun install-service once the config exists, or give --namespaces)");
            return false;
        }
        Optional<String> key = NamespaceDetector.namespaceKey(config);
        key.ifPresent(k -> out.println("the config enters network namespaces (" + k + "): the units get CAP_SYS_ADMIN"));
        return key.isPresent();
    }

    private static String describe(UnitInstaller.Change c) {
        switch (c.outcome()) {
            case CREATED: return c.file() + ": created";
            case UPDATED: return c.file() + ": updated";
            default: return c.file() + ": unchanged";
        }
    }

    private void enable(UnitInstaller installer, PrintStream out) throws IOException {
        String units = String.join(" ", UnitFiles.NAMES);
        String manual = "systemctl daemon-reload && systemctl enable " + units;
        if (noEnable) {
            out.println("not enabled (--no-enable); to enable: " + manual);
        } else if (!installer.systemdLoadsFromUnitDir()) {
            out.println("not enabled: systemd does not load units from " + unitDir + "; copy them to /etc/systemd/system"
                    + " and run: " + manual);
        } else if (!installer.systemdRunning()) {
            out.println("not enabled: systemd is not running here (no /run/systemd/system); on the host that boots"
                    + " these units run: " + manual);
        } else if (dryRun) {
            out.println("would run: " + manual);
        } else {
            installer.enable(UnitFiles.NAMES);
            out.println("enabled " + units + " (start now with: systemctl start mpsec-agent.service)");
        }
    }
}
