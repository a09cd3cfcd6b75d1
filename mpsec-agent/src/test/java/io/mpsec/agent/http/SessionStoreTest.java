package io.mpsec.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionStoreTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void idsAre256RandomBitsAndExpireAfterTheLifetime() {
        SessionStore s = new SessionStore(Duration.ofMinutes(10), now::get);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String id = s.create();
            assertThat(Base64.getUrlDecoder().decode(id)).hasSize(32);
            ids.add(id);
        }
        assertThat(ids).hasSize(100);
        String id = ids.iterator().next();
        assertThat(s.isValid(id)).isTrue();
        now.addAndGet(Duration.ofMinutes(10).toNanos() - 1);
        assertThat(s.isValid(id)).isTrue();
        now.addAndGet(1);
        assertThat(s.isValid(id)).isFalse();
        assertThat(s.size()).isZero();
        assertThat(s.toString()).doesNotContain(id);
    }

    @Test
    void junkLogoutAndCapacity() {
        SessionStore s = new SessionStore(Duration.ofMinutes(10), now::get);
        assertThat(s.isValid(null)).isFalse();
        assertThat(s.isValid("")).isFalse();
        assertThat(s.isValid("A".repeat(43))).isFalse();
        String first = s.create();
        s.end(first);
        assertThat(s.isValid(first)).isFalse();
        String oldest = s.create();
        for (int i = 1; i < SessionStore.MAX_SESSIONS; i++) {
            now.incrementAndGet();
            s.create();
        }
        assertThat(s.isValid(oldest)).isTrue();
        now.incrementAndGet();
        String newest = s.create();
        assertThat(s.size()).isEqualTo(SessionStore.MAX_SESSIONS);
        assertThat(s.isValid(oldest)).as("the oldest session made room").isFalse();
        assertThat(s.isValid(newest)).isTrue();
        assertThatThrownBy(() -> new SessionStore(Duration.ofSeconds(5))).hasMessageContaining("at least one minute");
    }

    @Test
    void theThrottleRefusesAfterTenFailuresInAMinute() throws Exception {
        LoginThrottle t = new LoginThrottle(now::get);
        InetAddress a = InetAddress.getByName("198.18.0.1");
        InetAddress b = InetAddress.getByName("198.18.0.2");
        for (int i = 0; i < LoginThrottle.MAX_FAILURES - 1; i++) {
            t.failed(a);
        }
        assertThat(t.retryAfterSeconds(a)).isZero();
        t.failed(a);
        assertThat(t.retryAfterSeconds(a)).isEqualTo(60);
        assertThat(t.retryAfterSeconds(b)).isZero();
        now.addAndGet(LoginThrottle.WINDOW_NANOS - 1_500_000_000L);
        assertThat(t.retryAfterSeconds(a)).isEqualTo(2);
        now.addAndGet(1_500_000_000L);
        assertThat(t.retryAfterSeconds(a)).isZero();
    }
}
