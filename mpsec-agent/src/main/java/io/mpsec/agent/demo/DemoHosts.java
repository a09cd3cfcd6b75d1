package io.mpsec.agent.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Configures PC1 and PC2 on top of the wiring, and probes the kernel for what the demo can show. */
final class DemoHosts {
    private DemoHosts() {
    }

    /**
     * Asks the kernel whether it can do ESP: adds and deletes a throwaway transport SA
     * ({@code rfc4106(gcm(aes))}, random key) in PC1's namespace.
     */
    static boolean espAvailable(DemoTestbed net) throws InterruptedException {
        byte[] key = new byte[20];
        new SecureRandom().nextBytes(key);
        String hex = "0x" + HexFormat.of().formatHex(key);
        try {
            DemoTestbed.sh("ip", "-n", net.pc1(), "xfrm", "state", "add", "src", DemoTestbed.address(1, 1), "dst",
                    DemoTestbed.address(1, 2), "proto", "esp", "spi", "0x6d7fffff", "mode", "transport", "aead",
                    "rfc4106(gcm(aes))", hex, "128");
            DemoTestbed.sh("ip", "-n", net.pc1(), "xfrm", "state", "flush");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** MPTCP limits and endpoints: PC1 opens one extra subflow per extra path. */
    static void configure(DemoTestbed net, boolean esp, PrintStream out) throws IOException, InterruptedException {
        int n = net.paths();
        for (String ns : new String[] {net.pc1(), net.pc2()}) {
            DemoTestbed.sh("ip", "-n", ns, "mptcp", "limits", "set", "subflows", Integer.toString(Math.max(n, 2)),
                    "add_addr_accepted", Integer.toString(Math.max(n, 2)));
        }
        for (int p = 2; p <= n; p++) {
            DemoTestbed.sh("ip", "-n", net.pc1(), "mptcp", "endpoint", "add", DemoTestbed.address(p, 1), "dev",
                    DemoTestbed.iface(1, p), "subflow");
        }
    }
}
