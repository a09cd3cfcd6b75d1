package io.mpsec.ipsec.keys;

import io.mpsec.ipsec.SecretBytes;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code keygen}: writes a new random 256-bit master key to a file created with mode 0600 and
 * prints its non-secret fingerprint (never the key). Copy the file to the peer host over a secure
 * channel; both hosts then derive the same SAs.
 *
 * <pre>java -cp ... io.mpsec.ipsec.keys.KeyGen /etc/mpsec/master.key</pre>
 */
public final class KeyGen {
    private KeyGen() {
    }

    /** Generates the key file and returns its fingerprint. */
    public static String generate(Path file) throws IOException {
        MasterKeyFile.generate(file);
        try (SecretBytes key = MasterKeyFile.load(file)) {
            return new SaKeyDerivation(key, 256).fingerprint();
        }
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: keygen KEYFILE   (writes a new 256-bit master key, mode 0600; never overwrites)");
            System.exit(2);
        }
        try {
            String fp = generate(Path.of(args[0]));
            System.out.println("wrote a 256-bit master key to " + args[0] + " (mode 0600), fingerprint " + fp);
        } catch (IOException e) {
            System.err.println("keygen: " + e.getMessage());
            System.exit(1);
        }
    }
}
