package io.mpsec.ipsec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Builders reject bad SAs and policies before anything reaches the kernel, saying what to do. */
class ValidationTest {
    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    static SecretBytes bytes(int n) {
        return SecretBytes.wrap(new byte[n]);
    }

    static SecurityAssociation.Builder valid() throws Exception {
        return SecurityAssociation.builder().source(ip("198.18.1.1")).destination(ip("198.18.1.2")).spi(0x1001)
                .algorithm(SaAlgorithm.aesGcm(bytes(36)));
    }

    @Test
    void defaultsAreTransportEsnWithAWindow() throws Exception {
        SecurityAssociation sa = valid().build();
        assertThat(sa.mode()).isEqualTo(Mode.TRANSPORT);
        assertThat(sa.esn()).isTrue();
        assertThat(sa.replayWindow()).isEqualTo(128);
    }

    @Test
    void spiZeroAndReservedSpisAreRejected() throws Exception {
        assertThatThrownBy(() -> valid().spi(0).build()).isInstanceOf(IpsecConfigException.class)
                .hasMessageContaining("SPI 0 is invalid");
        assertThatThrownBy(() -> valid().spi(255).build()).hasMessageContaining("reserved");
        assertThatThrownBy(() -> valid().spi(1L << 32).build()).hasMessageContaining("unsigned 32-bit");
        assertThat(valid().spi(0xffffffffL).build().spi()).isEqualTo(0xffffffffL);
    }

    @Test
    void keyLengthMustMatchTheAlgorithm() {
        assertThatThrownBy(() -> SaAlgorithm.aesGcm(bytes(32))).isInstanceOf(IpsecConfigException.class)
                .hasMessageContaining("4-byte salt").hasMessageContaining("got 32 bytes");
        assertThatThrownBy(() -> SaAlgorithm.aesGcm(bytes(16))).hasMessageContaining("20 or 36 bytes");
        assertThat(SaAlgorithm.aesGcm(bytes(20)).icvBits()).isEqualTo(128);
        assertThatThrownBy(() -> SaAlgorithm.aesCbcHmacSha256(bytes(15), bytes(32))).hasMessageContaining("16, 24 or 32-byte");
        assertThatThrownBy(() -> SaAlgorithm.aesCbcHmacSha256(bytes(32), bytes(20))).hasMessageContaining("32-byte key");
        assertThatThrownBy(() -> new SaAlgorithm.Aead("gcm(aes)", bytes(20), 128).validate()).hasMessageContaining("not supported");
        assertThatThrownBy(() -> new SaAlgorithm.Aead(SaAlgorithm.RFC4106_GCM_AES, bytes(20), 100).validate())
                .hasMessageContaining("ICV");
    }

    @Test
    void esnNeedsAReplayWindow() throws Exception {
        assertThatThrownBy(() -> valid().esn(true).replayWindow(0).build()).isInstanceOf(IpsecConfigException.class)
                .hasMessageContaining("ESN needs a replay window");
        assertThat(valid().esn(false).replayWindow(0).build().replayWindow()).isZero();
        assertThatThrownBy(() -> valid().replayWindow(5000).build()).hasMessageContaining("0..4096");
    }

    @Test
    void addressesMustBeComplete() throws Exception {
        assertThatThrownBy(() -> valid().destination(ip("2001:2::2")).build()).hasMessageContaining("mix IPv4 and IPv6");
        assertThatThrownBy(() -> valid().source(null).build()).hasMessageContaining("source and a destination");
        assertThatThrownBy(() -> valid().algorithm(null).build()).hasMessageContaining("needs an algorithm");
    }

    @Test
    void lifetimesSoftBelowHard() {
        assertThatThrownBy(() -> Lifetime.seconds(3600, 3000)).isInstanceOf(IpsecConfigException.class)
                .hasMessageContaining("softAddSeconds (3600) must be below hardAddSeconds (3000)");
        assertThatThrownBy(() -> new Lifetime(-1, 0, 0, 0, 0, 0)).hasMessageContaining("negative");
    }

    @Test
    void policiesAreChecked() throws Exception {
        assertThatThrownBy(() -> SecurityPolicy.builder().direction(Direction.OUT).build()).hasMessageContaining("selector");
        Selector s = Selector.hosts(ip("198.18.1.1"), ip("198.18.1.2"));
        assertThatThrownBy(() -> SecurityPolicy.builder().selector(s).build()).hasMessageContaining("direction");
        assertThatThrownBy(() -> SecurityPolicy.builder().selector(s).direction(Direction.OUT)
                .action(SecurityPolicy.Action.BLOCK).template(Template.transport(ip("198.18.1.1"), ip("198.18.1.2"), 1)).build())
                .hasMessageContaining("BLOCK");
        assertThatThrownBy(() -> new Selector(ip("198.18.1.1"), 33, ip("198.18.1.2"), 32, 0, 0, 0)).hasMessageContaining("0..32");
        assertThatThrownBy(() -> new Selector(ip("198.18.1.1"), 32, ip("198.18.1.2"), 32, 0, 80, 0)).hasMessageContaining("protocol");
        assertThat(SecurityPolicy.builder().selector(s).direction(Direction.OUT)
                .template(Template.transport(ip("198.18.1.1"), ip("198.18.1.2"), 1)).build().failClosed()).isTrue();
    }
}
