package io.mpsec.agent;

import io.mpsec.agent.config.AgentSettings;
import io.mpsec.agent.config.MpsecConfig;
import io.mpsec.agent.config.SecurePathsSettings;
import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.keys.MasterKeyFile;
import io.mpsec.ipsec.paths.AutoRekey;
import io.mpsec.ipsec.paths.SecurePaths;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;

/**
 * The agent owns the secure paths of its configuration: it applies them (adopting what {@code setup}
 * or {@code block} left, on a new key generation), keeps them rekeyed ({@link AutoRekey}) and shows
 * them on the dashboard. Stopping the agent is the kill switch: the peers stay BLOCKED, never in clear,
 * until the agent or {@code setup} applies again. Their SAs and the rekey health are in /metrics
 * ({@code mpsec_sa_*}, {@code mpsec_rekey_*}).
 */
final class AgentSecurePaths implements AutoCloseable {
    private final NetNamespace ns;
    private final XfrmClient xfrm;
    private final SecurePaths paths;
    private final AutoRekey rekey;

    private AgentSecurePaths(NetNamespace ns, XfrmClient xfrm, SecurePaths paths, AutoRekey rekey) {
        this.ns = ns;
        this.xfrm = xfrm;
        this.paths = paths;
        this.rekey = rekey;
    }

    /**
     * Applies and rekeys the configuration's secure paths in the single namespace the agent manages
     * (returns null when they are off).
     *
     * @throws IOException when they cannot be applied (the peers are then blocked, not in clear), or
     *         when the configuration names more than one namespace
     */
    static AgentSecurePaths start(ServeCommand.Agent agent, MpsecConfig c) throws IOException {
        SecurePathsSettings s = c.securePaths();
        if (s == null || !s.enabled() || s.peers().isEmpty()) {
            return null;
        }
        if (c.agent().namespaces().size() != 1) {
            throw new IOException("securePaths need exactly one namespace in agent.namespaces (the host the configuration "
                    + "describes), got " + c.agent().namespaces() + "; run one agent per host or namespace");
        }
        String label = c.agent().namespaces().get(0);
        NetNamespace ns = AgentSettings.HOST.equals(label) ? null : NetNamespace.open(label);
        XfrmClient xfrm = null;
        KeyGenerations generations = null;
        try {
            xfrm = ns == null ? XfrmClient.open() : XfrmClient.open(ns);
            generations = KeyGenerations.open(s.masterKeyFile());
            SecurePathsSettings.Peer peer = s.peers().get(0);
            SecurePaths paths = SecurePaths.builder().xfrm(xfrm).local(peer.local()).remote(peer.remote())
                    .masterKey(MasterKeyFile.load(s.masterKeyFile())).generations(generations)
                    .aesKeyBits(s.aesKeyBits()).failClosed(s.failClosed()).lookahead(s.lookahead()).lifetime(s.lifetime())
                    .joinGate(s.joinGate()).takeOver(s.takeOver()).killSwitchOnExit(true).learnPeerGeneration(true).build();
            generations = null; // SecurePaths closes it
            try {
                paths.apply();
                XfrmClient events = xfrm;
                AutoRekey rekey = AutoRekey.builder(paths).subscriptions(events::subscribe).graceMillis(s.rekeyGraceMillis()).start();
                agent.securePaths(label, paths::installedSas, events::usage, rekey::health);
                return new AgentSecurePaths(ns, xfrm, paths, rekey);
            } catch (IOException | RuntimeException e) {
                paths.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            if (generations != null) {
                generations.close();
            }
            if (xfrm != null) {
                xfrm.close();
            }
            if (ns != null) {
                ns.close();
            }
            throw e;
        }
    }

    /** Stops rekeying and turns the kill switch on: BLOCK policies, SAs removed. */
    @Override
    public void close() throws IOException {
        try {
            rekey.close();
        } finally {
            try {
                paths.close();
            } finally {
                xfrm.close();
                if (ns != null) {
                    ns.close();
                }
            }
        }
    }
}
