package io.mpsec.agent;

import io.mpsec.ipsec.keys.KeyGen;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Writes a new IPsec master key. */
@Command(name = "keygen", description = {
        "Writes a new random 256-bit IPsec master key to KEYFILE, created with mode 0600 (never overwrites),",
        "and prints its fingerprint, never the key. Copy the file to the peer host over a secure channel."})
final class KeygenCommand implements Callable<Integer> {
    @Parameters(paramLabel = "KEYFILE", description = "Where to write the key, e.g. /etc/mpsec/master.key.")
    Path file;

    @Override
    public Integer call() {
        try {
            String fingerprint = KeyGen.generate(file);
            System.out.println("wrote a 256-bit master key to " + file + " (mode 0600), fingerprint " + fingerprint);
            return 0;
        } catch (IOException e) {
            System.err.println("keygen: " + e.getMessage());
            return 1;
        }
    }
}
