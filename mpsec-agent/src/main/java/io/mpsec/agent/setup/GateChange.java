package io.mpsec.agent.setup;

import io.mpsec.ipsec.paths.JoinGate;
import java.io.IOException;
import java.util.List;

/**
 * Puts back the MPTCP join gate when the secure paths are in place but the gate is gone (for example
 * after {@code nft flush ruleset}): without it a join to an unprotected address could leave in clear.
 */
record GateChange() implements Change {
    @Override
    public List<String> diff() {
        return List.of("+ nftables table inet mpsec_gate (MPTCP join gate; the secure paths are in place but the gate is missing)");
    }

    @Override
    public void apply(Target t) throws IOException {
        JoinGate.install(t.namespace());
    }

    @Override
    public void revert(Target t) throws IOException {
        JoinGate.of(t.namespace()).remove();
    }
}
