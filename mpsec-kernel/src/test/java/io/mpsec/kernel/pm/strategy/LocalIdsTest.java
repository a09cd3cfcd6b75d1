package io.mpsec.kernel.pm.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class LocalIdsTest {
    private static InetAddress ip(int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) (i >> 8), (byte) i});
    }

    @Test
    void stableIdsFromOneTo255ThenAClearError() throws Exception {
        LocalIds ids = new LocalIds();
        for (int i = 1; i <= 255; i++) {
            assertThat(ids.idFor(ip(i))).isEqualTo(i);
        }
        assertThat(ids.idFor(ip(7))).isEqualTo(7);
        assertThatThrownBy(() -> ids.idFor(ip(256)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("198.18.1.0").hasMessageContaining("8-bit");
    }
}
