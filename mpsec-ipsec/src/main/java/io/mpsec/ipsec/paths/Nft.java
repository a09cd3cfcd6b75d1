package io.mpsec.ipsec.paths;

import java.io.IOException;

/** Runs the {@code nft} tool (nftables) in one network namespace; a fake stands in for it in unit tests. */
interface Nft {
    /** What one {@code nft} run printed and returned. */
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code nft args...} with {@code stdin} (may be null) on its standard input. */
    Result run(String stdin, String... args) throws IOException;

    /** Where it runs, for messages: {@code "namespace NAME"} or {@code "this process's namespace"}. */
    String where();
}
