package io.mpsec.ipsec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.ipsec.keys.SaKeyDerivation;
import io.mpsec.ipsec.xfrm.msg.NewSa;
import io.mpsec.ipsec.xfrm.wire.XfrmAlgo;
import io.mpsec.ipsec.xfrm.wire.XfrmAlgoAead;
import io.mpsec.ipsec.xfrm.wire.XfrmAlgoAuth;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Key material never appears in toString() of any type that holds it. */
class SecretRedactionTest {
    static final byte[] KEY = new byte[36];

    static {
        new Random(7).nextBytes(KEY);
    }

    static void assertNoKey(String s) {
        String hex = HexFormat.of().formatHex(KEY);
        assertThat(s).doesNotContainIgnoringCase(hex.substring(0, 8)).doesNotContainIgnoringCase(hex.substring(40, 48));
        assertThat(s).doesNotContain(java.util.Arrays.toString(KEY).substring(1, 12));
        assertThat(s).doesNotContain(java.util.Base64.getEncoder().encodeToString(KEY).substring(0, 8));
    }

    @Test
    void everyHolderRedacts() throws Exception {
        SecretBytes k = SecretBytes.copyOf(KEY);
        assertThat(k.toString()).isEqualTo("<redacted 36 bytes>");
        SaAlgorithm.Aead aead = SaAlgorithm.aesGcm(k);
        SaAlgorithm.CipherAuth ca = SaAlgorithm.aesCbcHmacSha256(k.slice(0, 32), k.slice(0, 32));
        SecurityAssociation sa = SecurityAssociation.builder().source(InetAddress.getByName("198.18.1.1"))
                .destination(InetAddress.getByName("198.18.1.2")).spi(0x1234).algorithm(aead).build();
        for (Object o : new Object[] {k, aead, ca, sa, sa.toBuilder().algorithm(ca).build(),
            new XfrmAlgoAead("rfc4106(gcm(aes))", 128, KEY), new XfrmAlgo("cbc(aes)", KEY), new XfrmAlgoAuth("hmac(sha256)", 128, KEY),
            NewSa.decode(NewSa.encode(sa, false)), new SaKeyDerivation(SecretBytes.copyOf(KEY), 256).derive(1,
                    InetAddress.getByName("198.18.1.1"), InetAddress.getByName("198.18.1.2"), 0)}) {
            assertThat(o.toString()).contains("redacted");
            assertNoKey(o.toString());
        }
    }

    @Test
    void wipedSecretsCannotBeRead() {
        SecretBytes k = SecretBytes.copyOf(KEY);
        k.wipe();
        assertThat(k.isWiped()).isTrue();
        assertThatThrownBy(k::copy).isInstanceOf(IllegalStateException.class).hasMessageContaining("wiped");
    }
}
