package io.mpsec.agent.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The running service manager, as far as installing units needs it. */
public interface Systemd {
    /**
     * Whether systemd is the running init system: the test sd_booted(3) makes, the directory
     * {@code /run/systemd/system} exists.
     */
    boolean running();

    /** Directories systemd loads system units from (systemd.unit(5), "System Unit Search Path"). */
    Set<Path> STANDARD_UNIT_DIRS = Set.of(Path.of("/etc/systemd/system"), Path.of("/run/systemd/system"),
            Path.of("/lib/systemd/system"), Path.of("/usr/lib/systemd/system"), Path.of("/usr/local/lib/systemd/system"));

    /** The directories this service manager loads units from. */
    default Set<Path> unitDirs() {
        return STANDARD_UNIT_DIRS;
    }

    /** Runs {@code systemctl ARGS}; throws with systemctl's own message when it fails. */
    void systemctl(String... args) throws IOException;

    /** The real one: {@code /run/systemd/system} and the {@code systemctl} on PATH. */
    static Systemd host() {
        return new Systemd() {
            @Override
            public boolean running() {
                return Files.isDirectory(Path.of("/run/systemd/system"));
            }

            @Override
            public void systemctl(String... args) throws IOException {
                List<String> command = new ArrayList<>();
                command.add("systemctl");
                command.addAll(List.of(args));
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                try {
                    if (!p.waitFor(60, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        throw new IOException(String.join(" ", command) + " did not finish within 60 s");
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                    throw new IOException(String.join(" ", command) + " was interrupted", e);
                }
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (p.exitValue() != 0) {
                    throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + out);
                }
            }
        };
    }
}
