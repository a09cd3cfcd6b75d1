package io.mpsec.agent;

import io.mpsec.agent.config.AgentSettings;
import io.mpsec.agent.config.InterfaceSettings;
import io.mpsec.agent.config.MpsecConfig;
import io.mpsec.agent.config.SecurePathsSettings;
import io.mpsec.agent.log.EventLog;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** {@code serve --config FILE}: the agent section of the configuration, and what the agent watches for it. */
final class ConfiguredServe {
    private ConfiguredServe() {
    }

    /** The serve options of the configuration's {@code agent} section. */
    static ServeOptions options(MpsecConfig c) {
        AgentSettings a = c.agent();
        boolean host = a.namespaces().contains(AgentSettings.HOST);
        List<String> named = a.namespaces().stream().filter(n -> !AgentSettings.HOST.equals(n)).toList();
        ServeOptions o = ServeOptions.defaults().withListen(a.listen().getHostAddress(), a.port()).withStatusSocket(a.statusSocket())
                .withNamespaces(host, named).withLogFormat("json".equals(a.logFormat()) ? EventLog.Format.JSON : EventLog.Format.KV);
        if (a.tls() != null) {
            o = o.withTls(a.tls().certificate(), a.tls().privateKey());
        }
        if (a.tokenFile() != null) {
            o = o.withTokenFile(a.tokenFile());
        }
        return o;
    }

    /**
     * Packet security for the configured peers on the configured interfaces, in every namespace the
     * agent manages; none when the secure paths are off.
     */
    static List<PeerSecurityWatch> watchPeers(ServeCommand.Agent agent, MpsecConfig c) throws IOException {
        List<PeerSecurityWatch> out = new ArrayList<>();
        SecurePathsSettings s = c.securePaths();
        if (s == null || !s.enabled() || s.peers().isEmpty()) {
            return out;
        }
        List<InetAddress> local = new ArrayList<>();
        List<InetAddress> remote = new ArrayList<>();
        for (SecurePathsSettings.Peer p : s.peers()) {
            local.addAll(p.local());
            remote.addAll(p.remote());
        }
        List<String> ifaces = c.interfaces().stream().map(InterfaceSettings::name).toList();
        try {
            for (String ns : c.agent().namespaces()) {
                boolean own = AgentSettings.HOST.equals(ns);
                out.add(PeerSecurityWatch.start(agent, ns, own ? null : ns, local, remote, ifaces));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            for (PeerSecurityWatch w : out) {
                w.close();
            }
            throw e;
        }
    }
}
