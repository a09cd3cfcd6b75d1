package io.mpsec.ipsec.keys;

import io.mpsec.ipsec.SecretBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * The master key file: 32 random bytes (256 bits), readable by its owner only (mode 0600). Both
 * hosts of a secure path hold a copy of the same file and derive all SA keys and SPIs from it.
 */
public final class MasterKeyFile {
    /** Master key length in bytes. */
    public static final int KEY_BYTES = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    private MasterKeyFile() {
    }

    /**
     * Writes a new random master key to {@code file}, created atomically with mode 0600 (the
     * permissions are part of the create call, so the key is never readable by others, even briefly).
     *
     * @throws KeyFileException if the file already exists (an existing key is never overwritten)
     */
    public static void generate(Path file) throws IOException {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        try (SeekableByteChannel ch = Files.newByteChannel(file,
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC),
                PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
            ByteBuffer b = ByteBuffer.wrap(key);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        } catch (FileAlreadyExistsException e) {
            throw new KeyFileException("key file " + file + " already exists; MPSec never overwrites a key. "
                    + "Delete it first if you really want a new key (both hosts then need the new file).");
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        // umask can only remove bits; make sure nothing else was granted.
        Files.setPosixFilePermissions(file, OWNER_ONLY);
    }

    /**
     * Reads the master key, refusing a file that group or others can read or write.
     *
     * @throws KeyFileException when the file is missing, unsafe or not exactly 32 bytes
     */
    public static SecretBytes load(Path file) throws IOException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new KeyFileException("key file " + file + " does not exist; create one with 'mpsec keygen " + file
                    + "' and copy it to the peer over a secure channel");
        }
        Set<PosixFilePermission> extra = EnumSet.copyOf(perms);
        extra.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        if (!extra.isEmpty()) {
            throw new KeyFileException("key file " + file + " has mode " + PosixFilePermissions.toString(perms)
                    + ", it must not be accessible by group or others; run 'chmod 600 " + file
                    + "' and consider the key compromised if others could read it");
        }
        byte[] raw = Files.readAllBytes(file);
        if (raw.length != KEY_BYTES) {
            int n = raw.length;
            Arrays.fill(raw, (byte) 0);
            throw new KeyFileException("key file " + file + " holds " + n + " bytes, expected " + KEY_BYTES
                    + " (a 256-bit key written by 'mpsec keygen')");
        }
        return SecretBytes.wrap(raw);
    }
}
