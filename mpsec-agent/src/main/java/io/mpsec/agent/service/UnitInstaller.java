package io.mpsec.agent.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes unit files into a directory, only where their content differs (so a second run changes
 * nothing), and enables them through systemd when it runs.
 */
public final class UnitInstaller {
    /** What happened to one unit file. */
    public enum Outcome { CREATED, UPDATED, UNCHANGED }

    /** One unit file and what happened (or, in a dry run, would happen) to it. */
    public record Change(Path file, Outcome outcome) {
    }

    private final Path unitDir;
    private final Systemd systemd;

    /** Installs into {@code unitDir}, enabling through {@code systemd}. */
    public UnitInstaller(Path unitDir, Systemd systemd) {
        this.unitDir = unitDir;
        this.systemd = systemd;
    }

    /**
     * Writes {@code units} (file name to content) with mode 0644, each atomically, skipping those whose
     * content is already there. With {@code dryRun} nothing is written; the result says what would be.
     */
    public List<Change> write(Map<String, String> units, boolean dryRun) throws IOException {
        List<Change> changes = new ArrayList<>();
        if (!dryRun) {
            Files.createDirectories(unitDir);
        }
        for (Map.Entry<String, String> unit : units.entrySet()) {
            Path file = unitDir.resolve(unit.getKey());
            byte[] content = unit.getValue().getBytes(StandardCharsets.UTF_8);
            Outcome outcome;
            if (!Files.exists(file)) {
                outcome = Outcome.CREATED;
            } else if (Arrays.equals(Files.readAllBytes(file), content)) {
                outcome = Outcome.UNCHANGED;
            } else {
                outcome = Outcome.UPDATED;
            }
            if (!dryRun && outcome != Outcome.UNCHANGED) {
                Path tmp = unitDir.resolve("." + unit.getKey() + ".tmp");
                Files.write(tmp, content);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            changes.add(new Change(file, outcome));
        }
        return changes;
    }

    /** Whether systemd reads units from the directory this installer writes to. */
    public boolean systemdLoadsFromUnitDir() {
        return systemd.unitDirs().contains(unitDir.toAbsolutePath().normalize());
    }

    /** Whether the service manager runs here, so that the units can be enabled now. */
    public boolean systemdRunning() {
        return systemd.running();
    }

    /** {@code systemctl daemon-reload}, then {@code systemctl enable} of every unit (idempotent). */
    public void enable(List<String> unitNames) throws IOException {
        systemd.systemctl("daemon-reload");
        List<String> args = new ArrayList<>();
        args.add("enable");
        args.addAll(unitNames);
        systemd.systemctl(args.toArray(String[]::new));
    }
}
