package io.mpsec.ipsec.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.ipsec.SecretBytes;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 5869 appendix A, test cases 1-3 (HKDF with SHA-256). */
class HkdfTest {
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    static byte[] range(int from, int toInclusive) {
        byte[] b = new byte[toInclusive - from + 1];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    static void check(byte[] ikm, byte[] salt, byte[] info, int len, String prk, String okm) {
        SecretBytes p = Hkdf.extract(salt, SecretBytes.copyOf(ikm));
        assertThat(HexFormat.of().formatHex(p.copy())).isEqualTo(prk);
        assertThat(HexFormat.of().formatHex(Hkdf.expand(p, info, len).copy())).isEqualTo(okm);
        assertThat(HexFormat.of().formatHex(Hkdf.derive(salt, SecretBytes.copyOf(ikm), info, len).copy())).isEqualTo(okm);
    }

    @Test
    void testCase1() {
        byte[] ikm = new byte[22];
        java.util.Arrays.fill(ikm, (byte) 0x0b);
        check(ikm, range(0x00, 0x0c), range(0xf0, 0xf9), 42,
                "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    }

    @Test
    void testCase2LongInputs() {
        check(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82,
                "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
                "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
                        + "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
    }

    @Test
    void testCase3EmptySaltAndInfo() {
        byte[] ikm = new byte[22];
        java.util.Arrays.fill(ikm, (byte) 0x0b);
        check(ikm, new byte[0], new byte[0], 42,
                "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    }
}
