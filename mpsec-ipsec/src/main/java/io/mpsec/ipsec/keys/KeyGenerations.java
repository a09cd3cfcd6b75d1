package io.mpsec.ipsec.keys;

import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.FileCalls;
import io.mpsec.kernel.ffi.FileStat;
import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The key generation kept next to the master key, and a record of the generations this host has
 * already installed. Open it with {@link #open(Path)} and keep it open while SAs derived from the key
 * are managed; {@link #close()} releases it.
 *
 * <p>Every SA key and SPI is derived from (master key, generation, addresses). Installing the same
 * generation twice would install the same key and SPI with a restarted ESP sequence counter, which
 * with AES-GCM repeats IVs. So each host records the highest generation it installed
 * ({@code KEYFILE.installed}); {@link #claim} refuses to go back or repeat. To re-apply or after a
 * restart, both hosts {@link #advance()} (the same number of times) and so derive the same new SAs.
 *
 * <p>Only one instance may use a key file at a time: {@link #open} takes an exclusive
 * {@code flock(2)} on {@code KEYFILE.lock} and holds it until {@link #close()} (or the process ends),
 * so a second process, or a second open in this one, gets a {@link KeyLedgerLockedException} naming
 * the lock file and the holder's pid.
 *
 * <p>Files: {@code KEYFILE.generation} holds the current generation (absent means 1);
 * {@code KEYFILE.installed} holds one line {@code FINGERPRINT HIGHEST} per master key ever used,
 * where the fingerprint is a non-secret HKDF label of the master key: a new key starts again at any
 * generation, and going back to an earlier key still refuses its installed generations. All files are
 * opened relative to the key's directory (which must be writable only by its owner, this user or
 * root), never through a symbolic link. Updates are written to a temporary file, forced to disk,
 * renamed and the directory fsynced, so a crash or power loss leaves either the old or the new value,
 * never a rolled-back ledger after a claim returned.
 */
public final class KeyGenerations implements AutoCloseable {
    private final Path keyFile;
    private final String generationName;
    private final String installedName;
    private final LedgerDirectory dir;
    private final int lockFd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KeyGenerations(Path keyFile, LedgerDirectory dir, int lockFd) {
        this.keyFile = keyFile;
        String base = keyFile.getFileName().toString();
        this.generationName = base + ".generation";
        this.installedName = base + ".installed";
        this.dir = dir;
        this.lockFd = lockFd;
    }

    /**
     * Opens the ledger of {@code keyFile} and locks it for this instance.
     *
     * @throws KeyLedgerLockedException when another process (or another open instance in this one) holds it
     * @throws KeyFileException when the directory is unsafe or a ledger file is a symbolic link
     */
    public static KeyGenerations open(Path keyFile) throws IOException {
        Path abs = keyFile.toAbsolutePath();
        LedgerDirectory dir = LedgerDirectory.open(abs);
        try {
            String lockName = abs.getFileName() + ".lock";
            int fd = dir.openOrCreate(lockName);
            int r = FileCalls.flockOrErrno(fd, FileCalls.LOCK_EX | FileCalls.LOCK_NB);
            if (r != 0) {
                try {
                    if (r == -Errno.EAGAIN) {
                        throw locked(dir.path(lockName), FileCalls.fstat(fd, lockName));
                    }
                    throw Errors.newFileException("flock(LOCK_EX)", dir.path(lockName).toString(), -r);
                } finally {
                    Syscalls.closeQuietly(fd);
                }
            }
            return new KeyGenerations(abs, dir, fd);
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    private static KeyLedgerLockedException locked(Path lockFile, FileStat st) {
        long pid = lockHolder(readProcLocks(), st);
        long self = ProcessHandle.current().pid();
        String who;
        if (pid == self) {
            who = "this process (pid " + pid + ") already has it open: close that KeyGenerations first";
        } else if (pid > 0) {
            who = "process " + pid + ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).map(c -> " (" + c + ")")
                    .orElse("") + " holds it: stop that MPSec instance first";
        } else {
            who = "another process holds it: stop the other MPSec instance first";
        }
        return new KeyLedgerLockedException("the key generation ledger of " + lockFile.getParent().resolve(
                lockFile.getFileName().toString().replaceFirst("\\.lock$", "")) + " is locked (" + lockFile + "): " + who
                + ". Only one MPSec instance may use a key file at a time, since two would install the same key "
                + "generation (AES-GCM IV reuse).", pid);
    }

    private static String readProcLocks() {
        try {
            return Files.readString(Path.of("/proc/locks"));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The pid holding a FLOCK lock on the file {@code st} describes, from the text of /proc/locks
     * ({@code "1: FLOCK  ADVISORY  WRITE 1234 00:2d:56789 0 EOF"}: pid, then major:minor in hex and the
     * inode in decimal; fs/locks.c lock_get_status), or -1 when none is listed.
     */
    static long lockHolder(String procLocks, FileStat st) {
        String want = String.format("%02x:%02x:%d", st.devMajor(), st.devMinor(), st.inode());
        for (String line : procLocks.split("\n")) {
            if (line.contains("->")) {
                continue; // a waiter, not the holder
            }
            String[] t = line.trim().split("\\s+");
            if (t.length >= 6 && t[1].equals("FLOCK") && t[5].equals(want)) {
                try {
                    return Long.parseLong(t[4]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** The key file this ledger belongs to. */
    public Path keyFile() {
        return keyFile;
    }

    /** The current generation (1 when never advanced). */
    public synchronized long current() throws IOException {
        ensureOpen();
        String s = dir.readOrNull(generationName);
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
            throw new KeyFileException(dir.path(generationName) + " must hold a positive generation number, found '"
                    + s.trim() + "'");
        }
    }

    /** Moves to the next generation and persists it; returns the new generation. */
    public synchronized long advance() throws IOException {
        long next = current() + 1;
        checkLimit(next);
        dir.writeAtomically(generationName, next + "\n");
        return next;
    }

    /** Sets the current generation to at least {@code generation} (to align with the peer). */
    public synchronized void advanceTo(long generation) throws IOException {
        if (generation > current()) {
            checkLimit(generation);
            dir.writeAtomically(generationName, generation + "\n");
        }
    }

    private void checkLimit(long generation) throws KeyFileException {
        if (generation > SaKeyDerivation.MAX_GENERATION) {
            throw new KeyFileException("key generation " + generation + " of " + keyFile + " exceeds "
                    + SaKeyDerivation.MAX_GENERATION + ", the largest generation an SPI can carry. Rotate the master key: "
                    + "generate a new key ('mpsec keygen'), copy it to the peer, and remove " + dir.path(generationName)
                    + " on both hosts (the ledger keeps the old key's installed generations refused).");
        }
    }

    /** The highest generation of the key with {@code fingerprint} installed on this host, or 0. */
    public synchronized long highestInstalled(String fingerprint) throws IOException {
        ensureOpen();
        return readLedger().getOrDefault(fingerprint, 0L);
    }

    /**
     * Records that {@code generation} of the key is being installed on this host. The record is on
     * disk (fsynced) before this returns, so the caller may install the SAs afterwards.
     *
     * @throws KeyReuseException if this generation (or a later one) was installed before
     */
    public synchronized void claim(String fingerprint, long generation) throws IOException {
        ensureOpen();
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
        dir.writeAtomically(installedName, sb.toString());
    }

    /** FINGERPRINT -> highest installed generation; one line per master key ever used with this file. */
    private Map<String, Long> readLedger() throws IOException {
        Map<String, Long> ledger = new LinkedHashMap<>();
        String s = dir.readOrNull(installedName);
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
                throw new KeyFileException(dir.path(installedName) + " is malformed (expected lines 'FINGERPRINT GENERATION', "
                        + "found '" + line.trim() + "'); do not edit it by hand; advance the generation instead");
            }
            ledger.merge(parts[0], g, Math::max);
        }
        return ledger;
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the key generation ledger of " + keyFile + " was closed; open it again with "
                    + "KeyGenerations.open(keyFile)");
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    /** Releases the lock; another instance may then open the ledger. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed.compareAndSet(false, true)) {
            Syscalls.closeQuietly(lockFd);
            dir.close();
        }
    }

    @Override
    public String toString() {
        return "KeyGenerations[" + keyFile + (closed.get() ? ", closed" : "") + "]";
    }
}
