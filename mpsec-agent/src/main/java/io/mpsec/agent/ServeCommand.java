package io.mpsec.agent;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mpsec.agent.config.ConfigException;
import io.mpsec.agent.config.ConfigLoader;
import io.mpsec.agent.config.MpsecConfig;
import io.mpsec.agent.http.AccessPolicy;
import io.mpsec.agent.http.AccessToken;
import io.mpsec.agent.http.LoginThrottle;
import io.mpsec.agent.http.SessionStore;
import io.mpsec.agent.http.TlsFiles;
import io.mpsec.agent.log.EventLog;
import io.mpsec.agent.status.StatusCollector;
import io.mpsec.agent.status.StatusServer;
import io.mpsec.agent.web.Dashboard;
import io.mpsec.agent.web.WebRouter;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.rtnl.Link;
import io.mpsec.kernel.rtnl.Rtnetlink;
import io.mpsec.metrics.MpsecSocketMetrics;
import io.mpsec.ipsec.paths.RekeyHealth;
import io.mpsec.metrics.NamespaceMetrics;
import io.mpsec.metrics.RekeyMetrics;
import io.mpsec.metrics.SaMetrics;
import io.mpsec.metrics.Sampler;
import io.mpsec.metrics.Sources;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the agent: metrics over HTTP(S) with authentication, and the local status socket. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = {
        "Serves the metrics of this host's namespace (and of each --netns) at /metrics in the Prometheus text",
        "format, and answers 'mpsec status' on a Unix socket. Listens on 127.0.0.1 by default. Binding to any",
        "other address needs TLS (--tls-cert, --tls-key) and a token (--token-file, mode 0600); browsers log in",
        "once at /login, API clients send 'Authorization: Bearer TOKEN'."})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Take everything from this configuration file (its agent section; docs/CONFIG.md) instead of the options below.")
    Path config;

    @Option(names = "--bind", defaultValue = ServeOptions.DEFAULT_BIND,
            description = "IP address to listen on (default: ${DEFAULT-VALUE}); beyond loopback TLS and a token are required.")
    String bind;

    @Option(names = "--port", defaultValue = "9464", description = "TCP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate (chain) for HTTPS.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM PKCS#8 private key of --tls-cert (not readable by others).")
    Path tlsKey;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the access token (mode 0600, at least 20 characters). Required beyond loopback.")
    Path tokenFile;

    @Option(names = "--status-socket", paramLabel = "PATH", defaultValue = "/run/mpsec/agent.sock",
            description = "Unix socket for 'mpsec status' (default: ${DEFAULT-VALUE}); 'none' for no socket.")
    String statusSocket;

    @Option(names = "--netns", paramLabel = "NAME", description = "Also watch this named network namespace (repeatable).")
    List<String> namespaces = new ArrayList<>();

    @Option(names = "--no-host-ns", description = "Do not watch the agent's own namespace.")
    boolean noHostNs;

    @Option(names = "--log-format", paramLabel = "kv|json", defaultValue = "kv",
            description = "Log lines as key=value pairs or JSON (default: ${DEFAULT-VALUE}).")
    String logFormat;

    /** The options as one record (the configuration file maps onto the same record). */
    ServeOptions options() {
        return new ServeOptions(bind, port, tlsCert, tlsKey, tokenFile,
                "none".equals(statusSocket) ? null : Path.of(statusSocket), namespaces, !noHostNs,
                EventLog.Format.parse(logFormat));
    }

    @Override
    public Integer call() throws Exception {
        ServeOptions o;
        MpsecConfig cfg = null;
        try {
            if (config != null) {
                cfg = ConfigLoader.load(config);
                o = ConfiguredServe.options(cfg);
            } else {
                o = options();
            }
        } catch (IllegalArgumentException | ConfigException e) {
            System.err.println("serve: " + e.getMessage());
            return 2;
        }
        EventLog log = new EventLog(System.err, o.logFormat());
        List<PeerSecurityWatch> peers = new ArrayList<>();
        AgentSecurePaths secure = null;
        try (Agent a = Agent.start(o, log)) {
            if (cfg != null) {
                peers = ConfiguredServe.watchPeers(a, cfg);
                secure = AgentSecurePaths.start(a, cfg);
            }
            Thread hook = new Thread(a::close, "mpsec-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            System.out.println("serving the dashboard at " + a.url() + " and metrics at " + a.url() + "metrics");
            a.server().awaitClose();
            return 0;
        } catch (IllegalArgumentException | IOException e) {
            log.error("serve.refused").with(e).write();
            System.err.println("serve: " + e.getMessage());
            return 2;
        } finally {
            if (secure != null) {
                secure.close(); // the kill switch: the peers stay blocked until the next apply
            }
            for (PeerSecurityWatch w : peers) {
                w.close();
            }
        }
    }

    private static String hostForUrl(String bind) {
        return bind.contains(":") ? "[" + bind + "]" : bind;
    }

    /** A running agent: registry, sampler, namespace watchers, the HTTP server and the status socket. */
    public static final class Agent implements AutoCloseable {
        private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        private final Sampler sampler = new Sampler(Duration.ofSeconds(1));
        private final List<NamespaceMetrics> watched = new ArrayList<>();
        /** One rtnetlink socket per watched namespace (by tag value), for the interface states in the status. */
        private final Map<String, Rtnetlink> links = new LinkedHashMap<>();
        private final List<NetNamespace> handles = new ArrayList<>();
        private final Instant started = Instant.now();
        private final AtomicBoolean closed = new AtomicBoolean();
        private final ServeOptions options;
        private final EventLog log;
        private StatusCollector status;
        private Dashboard dashboard;
        private final AgentConnections connections = new AgentConnections();
        private MetricsServer server;
        private StatusServer statusServer;

        private Agent(ServeOptions options, EventLog log) {
            this.options = options;
            this.log = log;
        }

        /**
         * Starts watching and serving on {@code bind} without TLS, token or status socket (loopback only);
         * logs to standard error.
         *
         * @throws IllegalArgumentException when {@code bind} is not a loopback address or not an address
         */
        public static Agent start(String bind, int port, boolean noHostNs, List<String> namespaces) throws IOException {
            return start(ServeOptions.defaults().withListen(bind, port).withStatusSocket(null)
                    .withNamespaces(!noHostNs, namespaces), EventLog.stderr());
        }

        /** Starts with the dashboard ({@code /}, {@code /api/v1/...}) and {@code /metrics} as the application. */
        public static Agent start(ServeOptions o, EventLog log) throws IOException {
            return start(o, log, a -> new MetricsHttpHandler(HostCheck.anyHost(), a.registry()::scrape, new WebRouter(a.dashboard)));
        }

        /**
         * Starts watching and serving (in this process; {@link #close()} stops everything).
         *
         * @param app makes the application handler of each HTTP connection (for example the dashboard
         *        router); it receives only requests that passed the Host check and authentication
         * @throws IllegalArgumentException when the bind address is not an IP address, or is beyond
         *         loopback without TLS and a token
         * @throws IOException when the token file, the TLS files or the status socket are unusable, a
         *         namespace cannot be watched or the port cannot be bound; the message says what to do
         */
        public static Agent start(ServeOptions o, EventLog log, Function<Agent, ? extends ChannelHandler> app)
                throws IOException {
            InetAddress addr = parseAddress(o.bind());
            MetricsServer.checkBind(addr, o.tlsCertificate() != null, o.tokenFile() != null);
            AccessToken token = o.tokenFile() == null ? null : AccessToken.read(o.tokenFile());
            SslContext tls = o.tlsCertificate() == null ? null : TlsFiles.serverContext(o.tlsCertificate(), o.tlsPrivateKey());
            Agent a = new Agent(o, log);
            try {
                List<String> names = new ArrayList<>();
                if (o.watchHostNamespace()) {
                    a.watched.add(NamespaceMetrics.watch(null, a.registry, a.sampler));
                    a.links.put("host", Rtnetlink.open(null));
                    names.add("host");
                }
                for (String ns : o.namespaces()) {
                    a.watched.add(NamespaceMetrics.watch(ns, a.registry, a.sampler));
                    NetNamespace h = NetNamespace.open(ns);
                    a.handles.add(h);
                    a.links.put(ns, Rtnetlink.open(h));
                    names.add(ns);
                }
                List<String> dashboardNs = new ArrayList<>();
                if (o.watchHostNamespace()) {
                    dashboardNs.add(null);
                }
                dashboardNs.addAll(o.namespaces());
                a.dashboard = Dashboard.start(dashboardNs);
                a.status = new StatusCollector(a.registry, names, a::info, a::linkStates);
                for (String label : names) {
                    String name = "host".equals(label) && o.watchHostNamespace() && names.indexOf(label) == 0 ? null : label;
                    a.sampler.add(a.connections.watch(label, name, a.registry), AgentConnections.SAMPLE_PERIODS);
                    a.dashboard.connections(label, () -> a.connections.rows(label));
                }
                a.status.register("connections", a.connections::status);
                new MpsecSocketMetrics().bindTo(a.registry);
                AccessPolicy access = new AccessPolicy(token, tls != null, new SessionStore(SessionStore.DEFAULT_LIFETIME),
                        new LoginThrottle(), log);
                a.server = MetricsServer.start(addr, o.port(), tls, access, () -> app.apply(a));
                if (o.statusSocket() != null) {
                    a.statusServer = StatusServer.start(o.statusSocket(), a.status, log);
                }
                log.info("serve.start").with("bind", addr.getHostAddress()).with("port", a.server.port())
                        .with("tls", tls != null).with("auth", token != null ? "token" : "none")
                        .with("namespaces", String.join(",", names))
                        .with("status_socket", o.statusSocket() == null ? "none" : o.statusSocket()).write();
                return a;
            } catch (IOException | RuntimeException e) {
                a.close();
                throw e;
            }
        }

        static InetAddress parseAddress(String bind) {
            // an IP literal only: no DNS lookup for the bind address
            if (bind == null || !bind.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                throw new IllegalArgumentException("--bind '" + bind + "' is not an IP address; use 127.0.0.1 or ::1");
            }
            try {
                return InetAddress.getByName(bind);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("--bind '" + bind + "' is not an IP address; use 127.0.0.1 or ::1");
            }
        }

        /** Interface name to up / no-carrier / down in namespace {@code netns} (its tag value). */
        private Map<String, String> linkStates(String netns) {
            Rtnetlink r = links.get(netns);
            if (r == null) {
                return null;
            }
            Map<String, String> m = new LinkedHashMap<>();
            try {
                List<Link> dump;
                synchronized (r) {
                    dump = r.links();
                }
                for (Link l : dump) {
                    m.put(l.name(), l.up() ? "up" : l.adminUp() ? "no-carrier" : "down");
                }
            } catch (IOException e) {
                throw new IllegalStateException("rtnetlink RTM_GETLINK failed: " + e.getMessage(), e);
            }
            return m;
        }

        private Map<String, Object> info() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", ProcessHandle.current().pid());
            m.put("uptimeSeconds", StatusCollector.secondsSince(started));
            if (server != null) {
                m.put("http", url());
            }
            m.put("auth", options.tokenFile() != null ? "token" : "none (loopback)");
            return m;
        }

        /** The server's base URL, ending with {@code /}. */
        public String url() {
            return (server.isTls() ? "https://" : "http://") + hostForUrl(parseAddress(options.bind()).getHostAddress())
                    + ":" + server.port() + "/";
        }

        /** The registry, to bind more meters (SAs, rekey health, join gate) to. */
        public PrometheusMeterRegistry registry() {
            return registry;
        }

        /** The live dashboard's data (to plug in connections, packet security and SAs). */
        public Dashboard dashboard() {
            return dashboard;
        }

        /**
         * Publishes the SAs of one {@code SecurePaths} and the health of its {@code AutoRekey} in
         * namespace {@code label} ({@code "host"} for the agent's own): the per-SA series
         * ({@link SaMetrics}, read with GETAE, never the key) and the rekey series ({@link RekeyMetrics})
         * in /metrics, and both on the dashboard:
         * {@code securePaths(label, paths::installedSas, xfrm::usage, rekey::health)}.
         *
         * @param health AutoRekey's health, or {@code null} without AutoRekey (no rekey series then)
         */
        public void securePaths(String label, Sources.SaList sas, Sources.SaUsageSource usage, Supplier<RekeyHealth> health) {
            SaMetrics m = new SaMetrics(label, sas, usage);
            m.bindTo(registry);
            sampler.add(m);
            if (health != null) {
                new RekeyMetrics(label, health).bindTo(registry);
            }
            dashboard.securePaths(label, sas, usage, health);
        }

        /** The HTTP server. */
        public MetricsServer server() {
            return server;
        }

        /** The sampler that drives rates and new series. */
        public Sampler sampler() {
            return sampler;
        }

        /** The status collector: register extra sections (such as {@code connections}) here. */
        public StatusCollector status() {
            return status;
        }

        /** The options the agent runs with. */
        public ServeOptions options() {
            return options;
        }

        /** The structured log. */
        public EventLog log() {
            return log;
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            if (statusServer != null) {
                statusServer.close();
            }
            if (server != null) {
                server.close();
            }
            if (dashboard != null) {
                dashboard.close();
            }
            connections.close();
            sampler.close();
            for (NamespaceMetrics m : watched) {
                try {
                    m.close();
                } catch (IOException e) {
                    // closing a netlink socket; nothing to do
                }
            }
            for (Rtnetlink r : links.values()) {
                try {
                    r.close();
                } catch (IOException e) {
                    // closing a netlink socket; nothing to do
                }
            }
            handles.forEach(NetNamespace::close);
            registry.close();
            if (server != null) {
                log.info("serve.stop").with("uptime_seconds", StatusCollector.secondsSince(started)).write();
            }
        }
    }
}
