package io.mpsec.ipsec.paths;

import java.time.Instant;
import java.util.concurrent.BlockingQueue;

/**
 * Time that moves only when the test says so. The AutoRekey thread waits in {@link #poll} until an
 * item arrives or the test {@link #advance advances} past its deadline; {@link #awaitIdle} returns
 * once the thread has seen the latest advance and has nothing left to do, so a test can check what
 * happened (and what did not) at every point of fake time without depending on the machine's speed.
 */
final class ManualTime implements RekeyTime {
    static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
    private long now;
    private long epoch;
    private long idleEpoch = -1;

    @Override
    public synchronized long millis() {
        return now;
    }

    @Override
    public synchronized Instant now() {
        return BASE.plusMillis(now);
    }

    @Override
    public Object poll(BlockingQueue<Object> inbox, long millis) throws InterruptedException {
        long until;
        synchronized (this) {
            until = now + millis;
        }
        while (true) {
            Object o = inbox.poll();
            if (o != null) {
                synchronized (this) {
                    idleEpoch = -1; // busy until it waits again
                }
                return o;
            }
            synchronized (this) {
                if (now >= until) {
                    return null;
                }
                idleEpoch = epoch;
                notifyAll();
                wait(5);
            }
        }
    }

    synchronized void advance(long millis) {
        now += millis;
        epoch++;
        notifyAll();
    }

    /** Waits (at most 20 s of real time) until the thread has handled the latest advance and waits again. */
    synchronized void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (idleEpoch != epoch) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the AutoRekey thread did not become idle at fake time " + now);
            }
            wait(5);
        }
    }

    /** Advances in steps of {@code step} up to {@code total}, waiting for the thread after each. */
    void run(long total, long step) throws InterruptedException {
        for (long t = 0; t < total; t += step) {
            advance(Math.min(step, total - t));
            awaitIdle();
        }
    }
}
