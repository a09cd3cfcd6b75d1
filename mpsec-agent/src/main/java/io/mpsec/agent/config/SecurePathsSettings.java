package io.mpsec.agent.config;

import io.mpsec.ipsec.Lifetime;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code securePaths} section, mapped onto {@code io.mpsec.ipsec.paths.SecurePaths} and
 * {@code AutoRekey}. The key generation ledger always lives next to the key file
 * ({@code KEYFILE.generation}, {@code KEYFILE.installed}, {@code KEYFILE.lock}; see KeyGenerations).
 *
 * @param enabled        whether setup installs secure paths
 * @param failClosed     {@code level required} policies, BLOCK on failure and close (default true)
 * @param masterKeyFile  the 32-byte master key shared with the peer (mode 0600)
 * @param peers          the peer: local and remote addresses (every local is paired with every remote)
 * @param aesKeyBits     128 or 256 (default)
 * @param lookahead      inbound generations installed ahead, 1..16 (default 2)
 * @param joinGate       the nftables MPTCP join gate (default true; only with failClosed)
 * @param takeOver       replace someone else's policies on the same selectors (default false)
 * @param lifetime       SA lifetimes
 * @param rekeyGraceMillis how long AutoRekey keeps an old outbound generation after a rekey
 */
public record SecurePathsSettings(boolean enabled, boolean failClosed, Path masterKeyFile, List<Peer> peers,
        int aesKeyBits, int lookahead, boolean joinGate, boolean takeOver, Lifetime lifetime, long rekeyGraceMillis) {
    public SecurePathsSettings {
        peers = List.copyOf(peers);
    }

    /** Secure paths switched off. */
    public static SecurePathsSettings disabled() {
        return new SecurePathsSettings(false, true, null, List.of(), 256, 2, true, false, DEFAULT_LIFETIME, 5_000);
    }

    /** SecurePaths' own default with ESN: soft 1 h / 64 GiB, hard 75 min / 80 GiB. */
    public static final Lifetime DEFAULT_LIFETIME = new Lifetime(64L << 30, 80L << 30, 0, 0, 3600, 4500);

    /**
     * One peer host.
     *
     * @param local  this host's addresses towards the peer
     * @param remote the peer's addresses
     */
    public record Peer(List<InetAddress> local, List<InetAddress> remote) {
        public Peer {
            local = List.copyOf(local);
            remote = List.copyOf(remote);
        }
    }
}
