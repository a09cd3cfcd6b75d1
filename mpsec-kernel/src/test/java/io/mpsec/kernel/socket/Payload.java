package io.mpsec.kernel.socket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.function.LongConsumer;

/** Deterministic pseudo-random payloads and SHA-256 accounting for transfer tests. */
final class Payload {
    private Payload() {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Sends {@code total} bytes of seeded random data; returns the SHA-256 (hex) of what was written. */
    static String send(OutputStream out, long total, long seed, LongConsumer progress) throws IOException {
        MessageDigest md = sha256();
        Random r = new Random(seed);
        byte[] chunk = new byte[64 * 1024];
        long sent = 0;
        while (sent < total) {
            int n = (int) Math.min(chunk.length, total - sent);
            r.nextBytes(chunk);
            out.write(chunk, 0, n);
            md.update(chunk, 0, n);
            sent += n;
            if (progress != null) {
                progress.accept(sent);
            }
        }
        out.flush();
        return HexFormat.of().formatHex(md.digest());
    }

    /** Result of reading a stream to EOF. */
    record Received(long bytes, String sha256, long longestGapMillis) {
    }

    /** Reads to EOF, hashing everything and recording the longest pause between two reads. */
    static Received receive(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        long last = System.nanoTime();
        long gap = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            long now = System.nanoTime();
            gap = Math.max(gap, now - last);
            last = now;
            md.update(buf, 0, n);
            total += n;
        }
        return new Received(total, HexFormat.of().formatHex(md.digest()), gap / 1_000_000);
    }
}
