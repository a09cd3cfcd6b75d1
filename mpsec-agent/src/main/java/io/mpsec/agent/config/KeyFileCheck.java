package io.mpsec.agent.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The checks on the master key file made while the configuration is read, so a bad file is reported
 * with the configuration's line before anything changes. {@code MasterKeyFile.load} repeats them (and
 * checks owner, size and directory) when the key is actually read.
 */
public final class KeyFileCheck {
    private static final Set<PosixFilePermission> GROUP_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private KeyFileCheck() {
    }

    /** What is wrong with {@code file} as a master key file and what to do, or empty when it is fine. */
    public static Optional<String> check(Path file) {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.of("master key file " + file + " does not exist: create it with 'mpsec keygen " + file
                    + "' on one host and copy it to the peer over a secure channel");
        } catch (IOException e) {
            return Optional.of("cannot read master key file " + file + ": " + e.getMessage());
        }
        if (a.isSymbolicLink()) {
            return Optional.of("master key file " + file + " is a symbolic link; MPSec reads keys only from a regular file: "
                    + "point masterKeyFile at the file itself");
        }
        if (!a.isRegularFile()) {
            return Optional.of("master key file " + file + " is not a regular file");
        }
        Set<PosixFilePermission> open = EnumSet.copyOf(a.permissions().isEmpty() ? EnumSet.noneOf(PosixFilePermission.class)
                : a.permissions());
        open.retainAll(GROUP_OTHERS);
        if (!open.isEmpty()) {
            return Optional.of("master key file " + file + " is accessible by group or others ("
                    + java.nio.file.attribute.PosixFilePermissions.toString(a.permissions()) + "): run 'chmod 600 " + file + "'");
        }
        return Optional.empty();
    }
}
