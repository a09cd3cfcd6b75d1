package io.mpsec.agent.setup;

import io.mpsec.agent.config.SecurePathsSettings;
import io.mpsec.agent.setup.NetState.PolicyEntry;
import io.mpsec.agent.setup.NetState.SecureEntry;
import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.keys.MasterKeyFile;
import io.mpsec.ipsec.paths.SecurePaths;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Protects the peers with {@link SecurePaths#apply()}: the join gate, then every pair's
 * {@code level required} policies in one batch, then the SAs. On failure SecurePaths itself puts back
 * the policies it found, and where there were none it leaves MPSec's BLOCK policies: a failed first
 * apply ends blocked, never in clear.
 *
 * <p>The kill switch on exit is off ({@code killSwitchOnExit(false)}): the protection must outlive the
 * setup process. A later {@code SecurePaths.apply()} by another process (the agent) recognises this
 * state as MPSec's by priority {@value SecurePaths#DEFAULT_PRIORITY} and the reqid range
 * ({@code KernelState}, {@code PathPlan.owns}), adopts the SAs and moves to a new key generation.
 */
final class SecureApplyChange implements Change {
    private final SecurePathsSettings settings;
    private final SecureEntry current;
    private SecurePaths applied;

    SecureApplyChange(SecurePathsSettings settings, SecureEntry current) {
        this.settings = settings;
        this.current = current;
    }

    @Override
    public List<String> diff() {
        List<String> d = new ArrayList<>();
        var peer = settings.peers().get(0);
        for (Object[] k : SecureState.keys(peer.local(), peer.remote())) {
            io.mpsec.ipsec.Selector s = (io.mpsec.ipsec.Selector) k[1];
            String dir = k[0].toString().toLowerCase(java.util.Locale.ROOT);
            String src = s.source().getHostAddress();
            String dst = s.destination().getHostAddress();
            PolicyEntry now = current.policies().stream().filter(p -> p.direction().equalsIgnoreCase(dir) && p.source().equals(src)
                    && p.destination().equals(dst)).findFirst().orElse(null);
            d.add("- " + (now == null ? "xfrm policy " + dir + " " + src + " -> " + dst + ": none (cleartext)" : now.toString()));
            d.add("+ xfrm policy " + dir + " " + src + " -> " + dst + " priority " + SecurePaths.DEFAULT_PRIORITY
                    + " allow esp transport " + (settings.failClosed() ? "level required" : "level use")
                    + (dir.equals("out") ? " + SAs of a new key generation" : ""));
        }
        if (settings.joinGate() && settings.failClosed() && !current.joinGate()) {
            d.add("+ nftables table inet mpsec_gate (MPTCP join gate)");
        }
        return d;
    }

    @Override
    public void apply(Target t) throws IOException {
        var peer = settings.peers().get(0);
        KeyGenerations generations = KeyGenerations.open(settings.masterKeyFile());
        SecurePaths paths;
        try {
            paths = SecurePaths.builder().xfrm(t.xfrm()).local(peer.local()).remote(peer.remote())
                    .masterKey(MasterKeyFile.load(settings.masterKeyFile())).generations(generations)
                    .aesKeyBits(settings.aesKeyBits()).failClosed(settings.failClosed()).lookahead(settings.lookahead())
                    .lifetime(settings.lifetime()).joinGate(settings.joinGate()).takeOver(settings.takeOver())
                    .killSwitchOnExit(false).learnPeerGeneration(false).build();
        } catch (IOException | RuntimeException e) {
            generations.close();
            throw e;
        }
        try {
            paths.apply(); // on failure: policies restored, BLOCK where there were none
        } catch (IOException | RuntimeException e) {
            try {
                paths.close(); // after a failed apply this only releases the ledger lock; the policies stay as apply left them
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        applied = paths;
    }

    /** The policies on the peers' selectors as they were before this change. */
    SecureEntry before() {
        return current;
    }

    /** The policies on the peers' selectors now. */
    SecureEntry readBack(Target t) throws IOException {
        var peer = settings.peers().get(0);
        return SecureState.read(t, peer.local(), peer.remote());
    }

    /** The kill switch: BLOCK policies, SAs removed (never back to clear). */
    @Override
    public void revert(Target t) throws IOException {
        if (applied != null) {
            applied.close();
        }
    }
}
