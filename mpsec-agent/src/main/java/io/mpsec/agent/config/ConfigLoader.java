package io.mpsec.agent.config;

import io.mpsec.agent.config.MptcpSettings.CongestionControlSettings;
import io.mpsec.agent.config.MptcpSettings.Strategy;
import io.mpsec.agent.config.YamlTree.MapNode;
import io.mpsec.ipsec.Lifetime;
import io.mpsec.pm.EndpointFlag;
import io.mpsec.pm.Limits;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the MPSec YAML configuration into an immutable {@link MpsecConfig}: unknown keys, values of
 * the wrong type or range and addresses that are not literals are {@link ConfigException}s naming the
 * key path, line and column and what is allowed. {@link #load(Path)} also checks the files the
 * configuration refers to ({@link KeyFileCheck}).
 */
public final class ConfigLoader {
    /** The MPTCP in-kernel PM's maximum for both limits ({@code MPTCP_PM_ADDR_MAX}, net/mptcp/pm_netlink.c). */
    static final int LIMIT_MAX = 8;
    private static final int IFNAMSIZ = 16; // include/uapi/linux/if.h, with the terminating NUL

    private ConfigLoader() {
    }

    /** Reads, binds and validates {@code file}, including the master key file's permissions. */
    public static MpsecConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "", 0, 0, "cannot read the configuration file: " + e.getMessage());
        }
        return parse(text, file.toString(), true);
    }

    /**
     * Binds {@code text}. With {@code checkFiles} the files it names are checked too (the master key:
     * exists, a regular file, not a symbolic link, not accessible by group or others).
     */
    public static MpsecConfig parse(String text, String source, boolean checkFiles) throws ConfigException {
        MapNode root = YamlTree.parse(text, source);
        Section doc = new Section(source, "", root);
        MptcpSettings mptcp = mptcp(doc.section("mptcp"));
        List<InterfaceSettings> interfaces = doc.each("interfaces", ConfigLoader::iface);
        SecurePathsSettings secure = securePaths(doc.section("securePaths"), checkFiles);
        AgentSettings agent = agent(doc.section("agent"));
        doc.finish();
        checkInterfaces(doc, interfaces);
        return new MpsecConfig(mptcp, interfaces, secure, agent);
    }

    private static MptcpSettings mptcp(java.util.Optional<Section> opt) throws ConfigException {
        if (opt.isEmpty()) {
            return new MptcpSettings(null, null, null, null, null, new Strategy(Strategy.KERNEL, 0, 0, null, null), null);
        }
        Section s = opt.get();
        Boolean enabled = s.bool("enabled").orElse(null);
        String pm = s.choice("pathManager", MptcpSettings.PATH_MANAGERS).orElse(null);
        String scheduler = s.string("scheduler").orElse(null);
        Integer stale = s.integer("staleLossCnt", 1, Integer.MAX_VALUE).map(Long::intValue).orElse(null);
        Limits limits = null;
        var ls = s.section("limits");
        if (ls.isPresent()) {
            Section l = ls.get();
            int sub = (int) (long) l.integer("subflows", 0, LIMIT_MAX).orElseThrow(() -> l.error("missing key 'subflows' (0.." + LIMIT_MAX + ")"));
            int acc = (int) (long) l.integer("addAddrAccepted", 0, LIMIT_MAX)
                    .orElseThrow(() -> l.error("missing key 'addAddrAccepted' (0.." + LIMIT_MAX + ")"));
            l.finish();
            limits = new Limits(sub, acc);
        }
        Strategy strategy = strategy(s);
        CongestionControlSettings cc = null;
        var cs = s.section("congestionControl");
        if (cs.isPresent()) {
            Section c = cs.get();
            String alg = c.string("algorithm").orElseThrow(() -> c.error("missing key 'algorithm' (e.g. cubic, bbr, reno)"));
            if (!alg.matches("[a-z0-9_]{1,15}")) {
                throw c.error("'" + alg + "' is not a congestion control name (lower-case letters, digits, _; e.g. cubic)");
            }
            cc = new CongestionControlSettings(alg, c.bool("makeDefault", false));
            c.finish();
        }
        s.finish();
        if (pm != null && !pm.equals("userspace") && !strategy.name().equals(Strategy.KERNEL)) {
            throw s.error("strategy '" + strategy.name() + "' runs over the userspace path manager: set pathManager: userspace "
                    + "(or remove pathManager), or use strategy kernel");
        }
        return new MptcpSettings(enabled, pm, scheduler, stale, limits, strategy, cc);
    }

    private static Strategy strategy(Section s) throws ConfigException {
        var os = s.section("strategy");
        if (os.isEmpty()) {
            return new Strategy(Strategy.KERNEL, 0, 0, null, null);
        }
        Section t = os.get();
        String name = t.choice("name", Strategy.NAMES).orElseThrow(() -> t.error("missing key 'name' ("
                + String.join(", ", Strategy.NAMES) + ")"));
        int subflows = 0;
        int max = 0;
        InetAddress bl = null;
        InetAddress br = null;
        switch (name) {
            case "ndiffports" -> subflows = (int) t.integer("subflows", 2, LIMIT_MAX, 2);
            case "fullmesh" -> max = (int) t.integer("maxSubflows", 1, LIMIT_MAX, LIMIT_MAX);
            case "backup" -> {
                bl = t.address("backupLocal").orElseThrow(() -> t.error("strategy backup needs backupLocal (the standby path's local address)"));
                br = t.address("backupRemote").orElseThrow(() -> t.error("strategy backup needs backupRemote (the standby path's remote address)"));
            }
            default -> { }
        }
        t.finish();
        return new Strategy(name, subflows, max, bl, br);
    }

    private static InterfaceSettings iface(Section.Item item) throws ConfigException {
        Section s = item.section();
        String name = s.string("name").orElseThrow(() -> s.error("missing key 'name' (the interface name, e.g. eth1)"));
        if (name.length() >= IFNAMSIZ || !name.matches("[A-Za-z0-9_.@-]+")) {
            throw s.error("'" + name + "' is not an interface name (1.." + (IFNAMSIZ - 1) + " characters: letters, digits, _ . - @)");
        }
        InetAddress address = s.address("address").orElse(null);
        InterfaceSettings.Endpoint endpoint = null;
        var es = s.section("endpoint");
        if (es.isPresent()) {
            Section e = es.get();
            int id = (int) e.integer("id", 1, 255, 0);
            Set<EndpointFlag> flags = EnumSet.noneOf(EndpointFlag.class);
            List<String> names = List.of("signal", "subflow", "backup", "fullmesh");
            for (Section.Item f : e.list("flags")) {
                EndpointFlag flag = EndpointFlag.valueOf(f.choice(names).toUpperCase(Locale.ROOT));
                if (!flags.add(flag)) {
                    throw f.error("flag '" + flag.name().toLowerCase(Locale.ROOT) + "' is listed twice");
                }
            }
            if (flags.contains(EndpointFlag.SIGNAL) && flags.contains(EndpointFlag.FULLMESH)) {
                throw e.error("flags signal and fullmesh cannot be combined (the kernel refuses it); use subflow, fullmesh");
            }
            if (flags.contains(EndpointFlag.FULLMESH) && !flags.contains(EndpointFlag.SUBFLOW)) {
                throw e.error("flag fullmesh works only with subflow: flags [subflow, fullmesh]");
            }
            e.finish();
            endpoint = new InterfaceSettings.Endpoint(id, flags);
        }
        InterfaceSettings.SourceRouting routing = null;
        var rs = s.section("sourceRouting");
        if (rs.isPresent()) {
            Section r = rs.get();
            long table = r.integer("table", 1, Integer.MAX_VALUE).orElseThrow(() -> r.error("missing key 'table' (1..2147483647, e.g. 101)"));
            if (table >= 253 && table <= 255) {
                throw r.error("table " + table + " is reserved (253 default, 254 main, 255 local): pick another, e.g. 101");
            }
            routing = new InterfaceSettings.SourceRouting(table, r.address("gateway").orElse(null));
            r.finish();
        }
        s.finish();
        return new InterfaceSettings(name, address, endpoint, routing);
    }

    private static void checkInterfaces(Section doc, List<InterfaceSettings> list) throws ConfigException {
        Set<String> names = new HashSet<>();
        Set<Long> tables = new HashSet<>();
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            InterfaceSettings f = list.get(i);
            String p = "interfaces[" + i + "]";
            if (!names.add(f.name())) {
                throw new ConfigException(doc.source(), p + ".name", 0, 0, "interface " + f.name() + " is listed twice");
            }
            if (f.sourceRouting() != null && !tables.add(f.sourceRouting().table())) {
                throw new ConfigException(doc.source(), p + ".sourceRouting.table", 0, 0, "table " + f.sourceRouting().table()
                        + " is used by two interfaces; each interface needs its own table");
            }
            if (f.endpoint() != null && f.endpoint().id() != 0 && !ids.add(f.endpoint().id())) {
                throw new ConfigException(doc.source(), p + ".endpoint.id", 0, 0, "endpoint id " + f.endpoint().id() + " is used twice");
            }
        }
    }

    private static SecurePathsSettings securePaths(java.util.Optional<Section> opt, boolean checkFiles) throws ConfigException {
        if (opt.isEmpty()) {
            return SecurePathsSettings.disabled();
        }
        Section s = opt.get();
        boolean enabled = s.bool("enabled", true);
        boolean failClosed = s.bool("failClosed", true);
        Path key = s.absolutePath("masterKeyFile").orElse(null);
        var keyNode = s.raw("masterKeyFile");
        List<SecurePathsSettings.Peer> peers = s.each("peers", ConfigLoader::peer);
        int bits = (int) s.integer("aesKeyBits", 128, 256, 256);
        if (bits != 128 && bits != 256) {
            throw s.error(Section.join(s.path(), "aesKeyBits"), s.raw("aesKeyBits").orElseThrow(), "must be 128 or 256, found " + bits);
        }
        int lookahead = (int) s.integer("lookahead", 1, 16, 2);
        boolean joinGate = s.bool("joinGate", true);
        boolean takeOver = s.bool("takeOver", false);
        Lifetime lifetime = SecurePathsSettings.DEFAULT_LIFETIME;
        var lo = s.section("lifetime");
        if (lo.isPresent()) {
            Section l = lo.get();
            Lifetime d = SecurePathsSettings.DEFAULT_LIFETIME;
            long softS = l.integer("softSeconds", 0, Long.MAX_VALUE, d.softAddSeconds());
            long hardS = l.integer("hardSeconds", 0, Long.MAX_VALUE, d.hardAddSeconds());
            long softB = l.integer("softBytes", 0, Long.MAX_VALUE, d.softBytes());
            long hardB = l.integer("hardBytes", 0, Long.MAX_VALUE, d.hardBytes());
            l.finish();
            if (softS != 0 && hardS != 0 && softS >= hardS || softB != 0 && hardB != 0 && softB >= hardB) {
                throw l.error("each soft limit must be below its hard limit (softSeconds < hardSeconds, softBytes < hardBytes), "
                        + "so that a soft EXPIRE leaves time to rekey; found seconds " + softS + "/" + hardS + ", bytes "
                        + softB + "/" + hardB);
            }
            lifetime = new Lifetime(softB, hardB, 0, 0, softS, hardS);
        }
        long grace = 5_000;
        var ro = s.section("rekey");
        if (ro.isPresent()) {
            Section r = ro.get();
            grace = r.integer("graceMillis", 0, 3_600_000, 5_000);
            r.finish();
        }
        s.finish();
        if (enabled) {
            if (key == null) {
                throw s.error("missing key 'masterKeyFile' (the 32-byte key written by 'mpsec keygen', e.g. /etc/mpsec/master.key)");
            }
            if (peers.isEmpty()) {
                throw s.error("missing key 'peers': list the peer as {local: [this host's addresses], remote: [the peer's addresses]}");
            }
            if (peers.size() > 1) {
                throw s.error("only one peer per master key is supported (its generation ledger is locked by one SecurePaths): "
                        + "list all addresses of the peer in one entry");
            }
            if (checkFiles) {
                var problem = KeyFileCheck.check(key);
                if (problem.isPresent()) {
                    throw s.error(Section.join(s.path(), "masterKeyFile"), keyNode.orElseThrow(), problem.get());
                }
            }
        }
        return new SecurePathsSettings(enabled, failClosed, key, peers, bits, lookahead, joinGate, takeOver, lifetime, grace);
    }

    private static SecurePathsSettings.Peer peer(Section.Item item) throws ConfigException {
        Section s = item.section();
        List<InetAddress> local = s.each("local", Section.Item::address);
        List<InetAddress> remote = s.each("remote", Section.Item::address);
        s.finish();
        if (local.isEmpty() || remote.isEmpty()) {
            throw s.error("a peer needs at least one address in 'local' and one in 'remote'");
        }
        List<InetAddress> all = new ArrayList<>(local);
        all.addAll(remote);
        if (new HashSet<>(all).size() != all.size()) {
            throw s.error("an address appears twice in local/remote: " + all.stream().map(InetAddress::getHostAddress).toList());
        }
        return new SecurePathsSettings.Peer(local, remote);
    }

    private static AgentSettings agent(java.util.Optional<Section> opt) throws ConfigException {
        if (opt.isEmpty()) {
            return defaultAgent();
        }
        Section s = opt.get();
        AgentSettings d = defaultAgent();
        InetAddress listen = s.address("listen").orElse(d.listen());
        int port = (int) s.integer("port", 1, 65535, d.port());
        AgentSettings.Tls tls = null;
        var ts = s.section("tls");
        if (ts.isPresent()) {
            Section t = ts.get();
            Path cert = t.absolutePath("certificate").orElseThrow(() -> t.error("missing key 'certificate' (PEM file)"));
            Path pk = t.absolutePath("privateKey").orElseThrow(() -> t.error("missing key 'privateKey' (PEM file)"));
            t.finish();
            tls = new AgentSettings.Tls(cert, pk);
        }
        Path token = s.absolutePath("tokenFile").orElse(null);
        Path socket = s.absolutePath("statusSocket").orElse(d.statusSocket());
        List<String> namespaces = s.each("namespaces", i -> {
            String n = i.string();
            if (!n.matches("[A-Za-z0-9_.-]{1,64}") || n.equals(".") || n.equals("..")) {
                throw i.error("'" + n + "' is not a network namespace name (letters, digits, _ . -; 'host' for the agent's own)");
            }
            return n;
        });
        if (namespaces.isEmpty()) {
            namespaces = d.namespaces();
        }
        if (new HashSet<>(namespaces).size() != namespaces.size()) {
            throw s.error("a namespace is listed twice in namespaces " + namespaces);
        }
        AgentSettings.PerConnectionSeries pcs = d.perConnectionSeries();
        var ps = s.section("perConnectionSeries");
        if (ps.isPresent()) {
            Section p = ps.get();
            pcs = new AgentSettings.PerConnectionSeries(p.bool("enabled", false), (int) p.integer("max", 1, 100_000, 100));
            p.finish();
        }
        String log = s.choice("logFormat", AgentSettings.LOG_FORMATS).orElse(d.logFormat());
        s.finish();
        return new AgentSettings(listen, port, tls, token, socket, namespaces, pcs, log);
    }

    private static AgentSettings defaultAgent() {
        return new AgentSettings(Addresses.literal("127.0.0.1").orElseThrow(), 9464, null, null,
                Path.of("/run/mpsec/agent.sock"), List.of(AgentSettings.HOST), new AgentSettings.PerConnectionSeries(false, 100),
                "keyvalue");
    }
}
