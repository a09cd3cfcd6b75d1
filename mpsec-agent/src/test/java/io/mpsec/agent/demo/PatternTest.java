package io.mpsec.agent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PatternTest {
    @Test
    void theReceiverChecksBytesWhateverTheChunking() {
        Pattern p = new Pattern(42);
        byte[] whole = new byte[1000];
        p.fill(whole, 0, whole.length, 0);
        byte[] part = new byte[333];
        p.fill(part, 0, part.length, 501);
        for (int i = 0; i < part.length; i++) {
            assertThat(part[i]).isEqualTo(whole[501 + i]);
        }
        assertThat(p.firstMismatch(whole, 13, 900, 13)).isEqualTo(-1);
        whole[777] ^= 1;
        assertThat(p.firstMismatch(whole, 13, 900, 13)).isEqualTo(777 - 13);
        assertThat(new Pattern(43).firstMismatch(whole, 0, 8, 0)).as("another seed, another stream").isNotEqualTo(-1);
    }
}
