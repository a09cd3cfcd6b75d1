package io.mpsec.ipsec.keys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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
 * {@code KEYFILE.installed} holds one line {@code FINGERPRINT HIGHEST} per master key ever used,
 * where the fingerprint is a non-secret HKDF label of the master key: a new key starts again at any
 * generation, and going back to an earlier key still refuses its installed generations. Updates are
 * written to a temporary file, forced to disk, renamed and the directory fsynced, so a crash or power
 * loss leaves either the old or the new value, never a rolled-back ledger after a claim returned.
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
        return readLedger().getOrDefault(fingerprint, 0L);
    }

    /**
     * Records that {@code generation} of the key is being installed on this host. The record is on
     * disk (fsynced) before this returns, so the caller may install the SAs afterwards.
     *
     * @throws KeyReuseException if this generation (or a later one) was installed before
     */
    public synchronized void claim(String fingerprint, long generation) throws IOException {
        if (fingerprint.isEmpty() || fingerprint.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("a key fingerprint must be non-empty and without whitespace");
        }
        Map<String, Long> ledger = readLedger();
        long highest = ledger.getOrDefault(fingerprint, 0L);
        if (generation <= highest) {
            throw new KeyReuseException("key generation " + generation + " of master key " + fingerprint
                    + " was already installed on this host (highest installed: " + highest + "). Installing it again "
                    + "would reuse the same ESP keys and SPIs with a restarted sequence counter (AES-GCM IV reuse). "
                    + "Move both hosts to generation " + (highest + 1) + " or later (KeyGenerations.advance(), "
                    + "'mpsec keys advance') and apply again.");
        }
        ledger.put(fingerprint, generation);
        StringBuilder sb = new StringBuilder();
        ledger.forEach((f, g) -> sb.append(f).append(' ').append(g).append('\n'));
        writeAtomically(installedFile, sb.toString());
    }

    /** FINGERPRINT -> highest installed generation; one line per master key ever used with this file. */
    private Map<String, Long> readLedger() throws IOException {
        Map<String, Long> ledger = new LinkedHashMap<>();
        String s = readOrNull(installedFile);
        if (s == null) {
            return ledger;
        }
        for (String line : s.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.trim().split("\\s+");
            long g;
            try {
                g = parts.length == 2 ? Long.parseLong(parts[1]) : -1;
            } catch (NumberFormatException e) {
                g = -1;
            }
            if (g < 1) {
                throw new KeyFileException(installedFile + " is malformed (expected lines 'FINGERPRINT GENERATION', found '"
                        + line.trim() + "'); do not edit it by hand; advance the generation instead");
            }
            ledger.merge(parts[0], g, Math::max);
        }
        return ledger;
    }

    private static String readOrNull(Path p) throws IOException {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Writes {@code content} to a temporary file, forces it to disk, renames it over {@code target}
     * and fsyncs the directory, so after a crash or power loss the file holds either the old or the
     * new content, and once this returns, the new content survives.
     */
    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer b = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(target.toAbsolutePath().getParent());
    }

    /** fsync(2) of a directory (Linux allows opening a directory read-only and forcing it). */
    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
