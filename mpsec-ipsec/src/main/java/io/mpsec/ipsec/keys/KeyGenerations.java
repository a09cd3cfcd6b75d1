package io.mpsec.ipsec.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The key generation kept next to the master key, and a record of the generations this host has
 * already installed.
 *
 * <p>Every SA key and SPI is derived from (master key, generation, addresses). Installing the same
 * generation twice would install the same key and SPI with a restarted ESP sequence counter, which
 * with AES-GCM repeats IVs. So each host records the highest generation it installed
 * ({@code KEYFILE.installed}); {@link #claim} refuses to go back or repeat. To re-apply or after a
 * restart, both hosts {@link #advance()} (the same number of times) and so derive the same new SAs.
 *
 * <p>Files: {@code KEYFILE.generation} holds the current generation (absent means 1);
 * {@code KEYFILE.installed} holds {@code FINGERPRINT HIGHEST} where the fingerprint is a non-secret
 * HKDF label of the master key, so a new key starts again at any generation. Updates are written to
 * a temporary file and renamed, so a crash leaves either the old or the new value.
 */
public final class KeyGenerations {
    private final Path generationFile;
    private final Path installedFile;

    public KeyGenerations(Path keyFile) {
        this.generationFile = keyFile.resolveSibling(keyFile.getFileName() + ".generation");
        this.installedFile = keyFile.resolveSibling(keyFile.getFileName() + ".installed");
    }

    /** The current generation (1 when never advanced). */
    public synchronized long current() throws IOException {
        String s = readOrNull(generationFile);
        if (s == null) {
            return 1;
        }
        try {
            long g = Long.parseLong(s.trim());
            if (g < 1) {
                throw new NumberFormatException();
            }
            return g;
        } catch (NumberFormatException e) {
            throw new KeyFileException(generationFile + " must hold a positive generation number, found '" + s.trim() + "'");
        }
    }

    /** Moves to the next generation and persists it; returns the new generation. */
    public synchronized long advance() throws IOException {
        long next = current() + 1;
        writeAtomically(generationFile, Long.toString(next) + "\n");
        return next;
    }

    /** Sets the current generation to at least {@code generation} (to align with the peer). */
    public synchronized void advanceTo(long generation) throws IOException {
        if (generation > current()) {
            writeAtomically(generationFile, Long.toString(generation) + "\n");
        }
    }

    /** The highest generation of the key with {@code fingerprint} installed on this host, or 0. */
    public synchronized long highestInstalled(String fingerprint) throws IOException {
        String s = readOrNull(installedFile);
        if (s == null) {
            return 0;
        }
        String[] parts = s.trim().split("\\s+");
        if (parts.length != 2) {
            throw new KeyFileException(installedFile + " is malformed (expected 'FINGERPRINT GENERATION'); "
                    + "do not edit it by hand; advance the generation instead");
        }
        return parts[0].equals(fingerprint) ? Long.parseLong(parts[1]) : 0;
    }

    /**
     * Records that {@code generation} of the key is being installed on this host.
     *
     * @throws KeyReuseException if this generation (or a later one) was installed before
     */
    public synchronized void claim(String fingerprint, long generation) throws IOException {
        long highest = highestInstalled(fingerprint);
        if (generation <= highest) {
            throw new KeyReuseException("key generation " + generation + " of master key " + fingerprint
                    + " was already installed on this host (highest installed: " + highest + "). Installing it again "
                    + "would reuse the same ESP keys and SPIs with a restarted sequence counter (AES-GCM IV reuse). "
                    + "Move both hosts to generation " + (highest + 1) + " or later (KeyGenerations.advance(), "
                    + "'mpsec keys advance') and apply again.");
        }
        writeAtomically(installedFile, fingerprint + " " + generation + "\n");
    }

    private static String readOrNull(Path p) throws IOException {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
