package io.mpsec.agent.http;

import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.FileCalls;
import io.mpsec.kernel.ffi.FileStat;
import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The agent's access token: a secret string of printable ASCII read once from a file that only its owner can read
 * (mode 0600 or 0400). It never prints itself ({@link #toString()} is {@code <redacted token>}) and is
 * compared in constant time: {@link #matches} hashes both sides with SHA-256 and compares the digests
 * with {@link MessageDigest#isEqual}, so neither the content nor the length leaks through timing.
 *
 * <p>{@link #read} opens the file with {@code O_NOFOLLOW} and checks the <em>opened</em> descriptor
 * (a regular file, owned by the effective user, nothing for group or others), so the file checked is
 * the file read.
 */
public final class AccessToken {
    /** Tokens shorter than this are refused (a guessable token is no protection). */
    public static final int MIN_CHARS = 20;
    static final int MAX_BYTES = 4096;
    /** What to run to make a good token file. */
    static final String HOW_TO_MAKE = "create one with: (umask 077; head -c 32 /dev/urandom | base64 > FILE)";
    private final byte[] digest;

    private AccessToken(byte[] token) {
        this.digest = sha256(token);
    }

    /**
     * A token from a string (tests, and config that holds it elsewhere).
     *
     * @throws IllegalArgumentException when it is shorter than {@link #MIN_CHARS} characters or has line breaks
     */
    public static AccessToken of(String token) {
        byte[] b = token.getBytes(StandardCharsets.UTF_8);
        try {
            check(b, "the token");
            return new AccessToken(b);
        } catch (TokenFileException e) {
            throw new IllegalArgumentException(e.getMessage());
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    /**
     * Reads the token from {@code file}: its content without surrounding white space.
     *
     * @throws TokenFileException when the file is missing, a symbolic link, not a regular file, owned
     *         by another user, readable or writable by group or others, empty, too short or too long;
     *         the message says what to do (for example {@code chmod 600 FILE})
     */
    public static AccessToken read(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        int fd = FileCalls.openatOrErrno(FileCalls.AT_FDCWD, abs.toString(),
                FileCalls.O_RDONLY | FileCalls.O_NOFOLLOW | FileCalls.O_NOCTTY | FileCalls.O_NONBLOCK | FileCalls.O_CLOEXEC, 0);
        if (fd < 0) {
            throw openError(abs, -fd);
        }
        byte[] raw = new byte[MAX_BYTES + 1];
        try {
            checkFile(abs, FileCalls.fstat(fd, abs.toString()), FileCalls.geteuid());
            int n = 0;
            while (n < raw.length) {
                int r = FileCalls.read(fd, raw, n, raw.length - n, abs.toString());
                if (r <= 0) {
                    break;
                }
                n += r;
            }
            if (n > MAX_BYTES) {
                throw new TokenFileException("token file " + abs + " is longer than " + MAX_BYTES + " bytes; it should "
                        + "hold one line, the token; " + HOW_TO_MAKE.replace("FILE", abs.toString()));
            }
            int from = 0;
            int to = n;
            while (from < to && Character.isWhitespace(raw[from])) {
                from++;
            }
            while (to > from && Character.isWhitespace(raw[to - 1])) {
                to--;
            }
            byte[] token = Arrays.copyOfRange(raw, from, to);
            try {
                check(token, "token file " + abs);
                return new AccessToken(token);
            } finally {
                Arrays.fill(token, (byte) 0);
            }
        } finally {
            Arrays.fill(raw, (byte) 0);
            Syscalls.closeQuietly(fd);
        }
    }

    private static void check(byte[] token, String what) throws TokenFileException {
        if (token.length == 0) {
            throw new TokenFileException(what + " is empty; " + HOW_TO_MAKE);
        }
        for (byte b : token) {
            if (b == '\n' || b == '\r') {
                throw new TokenFileException(what + " holds more than one line; it must hold the token only: " + HOW_TO_MAKE);
            }
        }
        for (byte b : token) {
            // visible ASCII only: the token travels in an HTTP header and a form, and a binary file here is
            // most likely the IPsec master key, which must never be sent to HTTP clients
            if (b < 0x21 || b > 0x7e) {
                throw new TokenFileException(what + " holds spaces, control characters or non-ASCII bytes (is it a "
                        + "binary file such as the IPsec master key? never use that as the token); the token must be "
                        + "printable ASCII text: " + HOW_TO_MAKE);
            }
        }
        if (token.length < MIN_CHARS) {
            throw new TokenFileException(what + " holds a token of " + token.length + " characters; use at least "
                    + MIN_CHARS + " random characters: " + HOW_TO_MAKE);
        }
    }

    private static IOException openError(Path file, int errno) {
        return switch (errno) {
            case Errno.ELOOP -> new TokenFileException("token file " + file + " is a symbolic link; the agent reads the "
                    + "token only from a regular file. Put the file itself at this path and run 'chmod 600 " + file + "'");
            case Errno.ENOENT -> new TokenFileException("token file " + file + " does not exist; "
                    + HOW_TO_MAKE.replace("FILE", file.toString()));
            case Errno.EACCES -> new TokenFileException("token file " + file + " is not readable by this process (uid "
                    + FileCalls.geteuid() + "): permission denied; run the agent as the file's owner");
            default -> Errors.newFileException("open(O_NOFOLLOW)", file.toString(), errno);
        };
    }

    /** The checks on the opened file: a regular file of ours that nobody else can read or write. */
    static void checkFile(Path file, FileStat st, long euid) throws TokenFileException {
        if (!st.isRegularFile()) {
            throw new TokenFileException("token file " + file + " is a " + st.typeName() + ", not a regular file; "
                    + HOW_TO_MAKE.replace("FILE", file.toString()));
        }
        if (st.uid() != euid) {
            throw new TokenFileException("token file " + file + " is owned by uid " + st.uid() + ", but the agent runs as uid "
                    + euid + "; run 'chown " + euid + " " + file + "' (as root) or run the agent as uid " + st.uid());
        }
        int perms = st.permissions();
        if ((perms & 0077) != 0 || (perms & 0400) == 0) {
            throw new TokenFileException("token file " + file + " has mode 0" + Integer.toOctalString(perms) + " ("
                    + st.permissionString() + "); it must be 0600 or 0400, with nothing for group or others: run 'chmod 600 "
                    + file + "'" + ((perms & 0044) != 0 ? " and make a new token: others could read this one" : ""));
        }
    }

    /** Whether {@code presented} is this token; constant time in the content and length of both. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        byte[] p = presented.getBytes(StandardCharsets.UTF_8);
        try {
            return MessageDigest.isEqual(digest, sha256(p));
        } finally {
            Arrays.fill(p, (byte) 0);
        }
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    @Override
    public String toString() {
        return "<redacted token>";
    }
}
