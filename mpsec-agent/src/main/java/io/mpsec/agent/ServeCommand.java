package io.mpsec.agent;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mpsec.agent.web.Dashboard;
import io.mpsec.agent.web.WebRouter;
import io.mpsec.metrics.NamespaceMetrics;
import io.mpsec.metrics.Sampler;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Serves /metrics in the Prometheus text format. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = {
        "Serves the metrics of this host's namespace (and of each --netns) at http://127.0.0.1:PORT/metrics in",
        "the Prometheus text format: interface counters and rates, MPTCP MIB counters, xfrm_stat counters.",
        "Only loopback binds are allowed for now: serving beyond this host needs TLS and a token (not yet implemented)."})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Loopback address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "9464", description = "TCP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--netns", paramLabel = "NAME", description = "Also watch this named network namespace (repeatable).")
    List<String> namespaces = new ArrayList<>();

    @Option(names = "--no-host-ns", description = "Do not watch the agent's own namespace.")
    boolean noHostNs;

    @Override
    public Integer call() throws Exception {
        try (Agent a = Agent.start(bind, port, noHostNs, namespaces)) {
            String base = "http://" + hostForUrl(bind) + ":" + a.server().port();
            System.out.println("serving metrics at " + base + "/metrics and the dashboard at " + base + "/");
            a.server().awaitClose();
            return 0;
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("serve: " + e.getMessage());
            return 2;
        }
    }

    private static String hostForUrl(String bind) {
        return bind.contains(":") ? "[" + bind + "]" : bind;
    }

    /** A running agent: registry, sampler, namespace watchers and the HTTP server. */
    public static final class Agent implements AutoCloseable {
        private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        private final Sampler sampler = new Sampler(Duration.ofSeconds(1));
        private final List<NamespaceMetrics> watched = new ArrayList<>();
        private Dashboard dashboard;
        private MetricsServer server;

        private Agent() {
        }

        /**
         * Starts watching and serving (in this process; {@link #close()} stops everything).
         *
         * @throws IllegalArgumentException when {@code bind} is not a loopback address or not an address
         */
        public static Agent start(String bind, int port, boolean noHostNs, List<String> namespaces) throws IOException {
            InetAddress addr = parseAddress(bind);
            MetricsServer.checkBind(addr);
            Agent a = new Agent();
            try {
                if (!noHostNs) {
                    a.watched.add(NamespaceMetrics.watch(null, a.registry, a.sampler));
                }
                for (String ns : namespaces) {
                    a.watched.add(NamespaceMetrics.watch(ns, a.registry, a.sampler));
                }
                List<String> dashboardNs = new ArrayList<>();
                if (!noHostNs) {
                    dashboardNs.add(null);
                }
                dashboardNs.addAll(namespaces);
                a.dashboard = Dashboard.start(dashboardNs);
                a.server = MetricsServer.start(addr, port, a.registry::scrape, new WebRouter(a.dashboard));
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

        /** The registry, to bind more meters (SAs, rekey health, join gate) to. */
        public PrometheusMeterRegistry registry() {
            return registry;
        }

        /** The HTTP server. */
        public MetricsServer server() {
            return server;
        }

        /** The live dashboard's data (to plug in connections, packet security and SAs). */
        public Dashboard dashboard() {
            return dashboard;
        }

        /** The sampler that drives rates and new series. */
        public Sampler sampler() {
            return sampler;
        }

        @Override
        public void close() {
            if (server != null) {
                server.close();
            }
            if (dashboard != null) {
                dashboard.close();
            }
            sampler.close();
            for (NamespaceMetrics m : watched) {
                try {
                    m.close();
                } catch (IOException e) {
                    // closing a netlink socket; nothing to do
                }
            }
            registry.close();
        }
    }
}
