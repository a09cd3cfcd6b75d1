package io.mpsec.ipsec.paths;

import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** The clocks and the one wait of the {@link AutoRekey} thread, replaceable in tests. */
interface RekeyTime {
    /** Monotonic milliseconds (deadlines, backoff). */
    long millis();

    /** Wall-clock time (health reports). */
    Instant now();

    /** The next item of {@code inbox}, waiting at most {@code millis}; {@code null} on timeout. */
    Object poll(BlockingQueue<Object> inbox, long millis) throws InterruptedException;

    /** The system clocks. */
    RekeyTime SYSTEM = new RekeyTime() {
        @Override
        public long millis() {
            return System.nanoTime() / 1_000_000L;
        }

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public Object poll(BlockingQueue<Object> inbox, long millis) throws InterruptedException {
            return inbox.poll(millis, TimeUnit.MILLISECONDS);
        }
    };
}
