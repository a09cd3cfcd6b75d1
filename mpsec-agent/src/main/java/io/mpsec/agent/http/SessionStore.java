package io.mpsec.agent.http;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Browser sessions, made when the token is exchanged at {@code /login}: each id is 256 random bits
 * (SecureRandom), sent once in the cookie and never stored: the store keeps only the SHA-256 of each
 * id, so neither a heap dump nor a lookup's timing reveals a usable id. A session ends after a fixed
 * lifetime (default 12 hours, no sliding renewal), at logout, or when the store is full and it is
 * the oldest ({@link #MAX_SESSIONS}).
 */
public final class SessionStore {
    /** The default session lifetime. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(12);
    /** The most sessions kept; logging in beyond this ends the oldest session. */
    public static final int MAX_SESSIONS = 256;
    static final int ID_BYTES = 32;
    private final SecureRandom random = new SecureRandom();
    private final Duration lifetime;
    private final LongSupplier nanoClock;
    /** base64url(SHA-256(id)) to expiry (nanoClock time). */
    private final Map<String, Long> sessions = new HashMap<>();

    /** Sessions that live {@code lifetime} (at least one minute). */
    public SessionStore(Duration lifetime) {
        this(lifetime, System::nanoTime);
    }

    SessionStore(Duration lifetime, LongSupplier nanoClock) {
        if (lifetime.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("session lifetime " + lifetime + " is too short; use at least one minute");
        }
        this.lifetime = lifetime;
        this.nanoClock = nanoClock;
    }

    /** The lifetime of new sessions. */
    public Duration lifetime() {
        return lifetime;
    }

    /** Starts a session and returns its id (43 base64url characters); the caller sends it in the cookie only. */
    public synchronized String create() {
        long now = nanoClock.getAsLong();
        purge(now);
        if (sessions.size() >= MAX_SESSIONS) {
            String oldest = null;
            long oldestExpiry = Long.MAX_VALUE;
            for (Map.Entry<String, Long> e : sessions.entrySet()) {
                if (e.getValue() - oldestExpiry < 0) {
                    oldest = e.getKey();
                    oldestExpiry = e.getValue();
                }
            }
            sessions.remove(oldest);
        }
        byte[] id = new byte[ID_BYTES];
        random.nextBytes(id);
        String s = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        sessions.put(hash(s), now + lifetime.toNanos());
        return s;
    }

    /** Whether {@code id} (from a cookie; may be {@code null} or junk) is a live session. */
    public synchronized boolean isValid(String id) {
        if (id == null || id.length() != 43) {
            return false;
        }
        long now = nanoClock.getAsLong();
        String h = hash(id);
        Long expiry = sessions.get(h);
        if (expiry == null) {
            return false;
        }
        if (expiry - now <= 0) {
            sessions.remove(h);
            return false;
        }
        return true;
    }

    /** Ends the session {@code id} (logout); unknown ids are ignored. */
    public synchronized void end(String id) {
        if (id != null) {
            sessions.remove(hash(id));
        }
    }

    /** The number of live sessions. */
    public synchronized int size() {
        purge(nanoClock.getAsLong());
        return sessions.size();
    }

    private void purge(long now) {
        for (Iterator<Long> it = sessions.values().iterator(); it.hasNext();) {
            if (it.next() - now <= 0) {
                it.remove();
            }
        }
    }

    private static String hash(String id) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(AccessToken.sha256(id.getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public String toString() {
        return "SessionStore[lifetime=" + lifetime + "]";
    }
}
