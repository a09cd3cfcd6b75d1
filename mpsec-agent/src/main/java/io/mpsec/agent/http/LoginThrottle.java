package io.mpsec.agent.http;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows down token guessing: a client address with {@link #MAX_FAILURES} failed authentications
 * within {@link #WINDOW_NANOS} is refused (HTTP 429) until the oldest failure leaves the window.
 * Memory is bounded: at most {@link #MAX_CLIENTS} addresses are tracked (the least recent is dropped).
 */
public final class LoginThrottle {
    static final int MAX_FAILURES = 10;
    static final long WINDOW_NANOS = 60_000_000_000L;
    static final int MAX_CLIENTS = 1024;
    private final LongSupplier nanoClock;
    private final Map<InetAddress, Deque<Long>> failures = new HashMap<>();

    /** A throttle on the system clock. */
    public LoginThrottle() {
        this(System::nanoTime);
    }

    LoginThrottle(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Seconds {@code client} must wait before trying again, 0 when it may try now. */
    public synchronized long retryAfterSeconds(InetAddress client) {
        Deque<Long> d = failures.get(client);
        long now = nanoClock.getAsLong();
        if (d == null) {
            return 0;
        }
        expire(d, now);
        if (d.size() < MAX_FAILURES) {
            return 0;
        }
        return Math.max(1, (d.peekFirst() + WINDOW_NANOS - now + 999_999_999L) / 1_000_000_000L);
    }

    /** Records one failed authentication of {@code client}. */
    public synchronized void failed(InetAddress client) {
        long now = nanoClock.getAsLong();
        if (!failures.containsKey(client) && failures.size() >= MAX_CLIENTS) {
            Iterator<Map.Entry<InetAddress, Deque<Long>>> it = failures.entrySet().iterator();
            InetAddress stalest = null;
            long stalestAt = Long.MAX_VALUE;
            while (it.hasNext()) {
                Map.Entry<InetAddress, Deque<Long>> e = it.next();
                long last = e.getValue().isEmpty() ? Long.MIN_VALUE : e.getValue().peekLast();
                if (stalest == null || last - stalestAt < 0) {
                    stalest = e.getKey();
                    stalestAt = last;
                }
            }
            failures.remove(stalest);
        }
        Deque<Long> d = failures.computeIfAbsent(client, c -> new ArrayDeque<>());
        expire(d, now);
        d.addLast(now);
        while (d.size() > MAX_FAILURES) {
            d.removeFirst();
        }
    }

    private static void expire(Deque<Long> d, long now) {
        while (!d.isEmpty() && now - d.peekFirst() >= WINDOW_NANOS) {
            d.removeFirst();
        }
    }
}
