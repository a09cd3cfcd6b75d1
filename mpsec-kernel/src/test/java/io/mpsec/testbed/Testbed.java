package io.mpsec.testbed;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that builds real hosts (network namespaces) joined by paths (veth pairs with an
 * optional HTB rate limit) for privileged integration tests, and always tears them down.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 100).build();
 *
 * @Test void reaches() throws Exception {
 *     Testbed.Host c = NET.host("c");
 *     c.execOk("ping", "-c1", "-W1", NET.host("s").address(1).getHostAddress());
 * }
 * }</pre>
 *
 * <p>Addresses: host {@code i} (0-based, in {@code hosts(...)} order) has {@code 198.18.p.(i+1)/24} on
 * path {@code p} (1-based); see {@link AddressPlan}. Namespaces are named
 * {@code mpsec-<pid>-<random>-<host>}; namespaces left by a dead process (an aborted run) are removed
 * before a new topology is built.
 *
 * <p>By default every test method gets a fresh topology; {@link Builder#perClass()} shares one per test
 * class. Without root the tests are skipped with a message (see {@link Privileged}); with
 * {@code -Dmpsec.requireRoot=true} they fail instead.
 */
public final class Testbed implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final Spec spec;
    private volatile Topology current;
    private volatile String ownerId;

    private Testbed(Spec spec) {
        this.spec = spec;
    }

    /** Starts describing a topology. */
    public static Builder builder() {
        return new Builder();
    }

    /** The host with this name in the current topology. */
    public Host host(String name) {
        return topology().host(name);
    }

    /** Path number {@code n} (1-based, in the order paths were declared) of the current topology. */
    public Path path(int n) {
        return topology().path(n);
    }

    /** All hosts of the current topology, in declaration order. */
    public List<Host> hosts() {
        return List.copyOf(topology().hosts());
    }

    /** All paths of the current topology, in number order. */
    public List<Path> paths() {
        return List.copyOf(topology().paths());
    }

    /** Whether a topology is currently up. */
    public boolean isUp() {
        return current != null;
    }

    private Topology topology() {
        Topology t = current;
        if (t == null) {
            throw new IllegalStateException("no testbed topology is up: hosts and paths exist only while a test runs "
                    + "(or, with perClass(), between beforeAll and afterAll); register the Testbed with @RegisterExtension "
                    + "on a static field");
        }
        return t;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Privileged.require();
        if (spec.perClass() && current == null) {
            current = Topology.create(spec);
            ownerId = context.getUniqueId();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (spec.perClass() && context.getUniqueId().equals(ownerId)) {
            tearDown();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Privileged.require();
        if (!spec.perClass()) {
            if (current != null) {
                tearDown();
            }
            current = Topology.create(spec);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!spec.perClass()) {
            tearDown();
        }
    }

    private void tearDown() {
        Topology t = current;
        current = null;
        ownerId = null;
        if (t != null) {
            t.close();
        }
    }

    /** A host: one network namespace. */
    public interface Host {
        /** The name given in {@code hosts(...)}, e.g. {@code "c"}. */
        String name();

        /** The 0-based position in {@code hosts(...)}; the last address byte is {@code index() + 1}. */
        int index();

        /** The actual network namespace name ({@code ip netns} name). */
        String namespace();

        /** This host's address on path {@code path}; throws if the host is not an end of that path. */
        InetAddress address(int path);

        /** This host's interface name on path {@code path}; throws if the host is not an end of that path. */
        String iface(int path);

        /** Runs a command inside the namespace ({@code ip netns exec}) and returns its result. */
        ExecResult exec(String... command);

        /** Like {@link #exec} but throws AssertionError with the output when the exit code is not 0. */
        ExecResult execOk(String... command);

        /**
         * Runs Java code on a thread inside the namespace. Sockets created there stay in the namespace
         * and may then be used from any thread. Only the network namespace of that thread changes:
         * {@code /proc/net} and {@code /sys/class/net} still show the JVM's own namespace (read them with
         * {@link #exec}), and {@code NetworkInterface} may mix both.
         */
        <T> T call(Callable<T> task) throws IOException;

        /** Sets a sysctl in this namespace, e.g. {@code sysctl("net.mptcp.enabled", "0")}. */
        void sysctl(String key, String value);

        /** Reads a sysctl in this namespace (trimmed). */
        String sysctl(String key);

        /**
         * Starts a background process in the namespace. It is killed (with its children) at teardown.
         * Its stdout and stderr are pipes: read them or redirect inside the command if it writes a lot.
         */
        Process startProcess(String... command);
    }

    /** A path: a veth pair between two hosts, shaped by HTB on both ends when a rate was given. */
    public interface Path {
        /** The 1-based path number (third address byte). */
        int number();

        /** The first end (client side). */
        Host a();

        /** The second end (server side; blackhole rules live here). */
        Host b();

        /** HTB rate in Mbit/s on both ends; 0 = unshaped. */
        int rateMbit();

        /** The interface of {@code host} on this path. */
        String iface(Host host);

        /** Link down on both ends. */
        void cut();

        /** Drops every IP packet on this path with nft rules in the server side namespace (needs {@code nft}). */
        void blackhole();

        /** Undoes {@link #cut} and {@link #blackhole}; returns when both ends are up again. */
        void restore();

        /** tx + rx bytes of {@code host}'s interface on this path. */
        long bytes(Host host);

        /** tx bytes of {@code host}'s interface on this path. */
        long txBytes(Host host);

        /** rx bytes of {@code host}'s interface on this path. */
        long rxBytes(Host host);
    }

    /** Describes the topology; {@link #build()} validates it. */
    public static final class Builder {
        private final List<String> hosts = new ArrayList<>();
        private int defaultPaths;
        private int defaultRate;
        private final List<PathSpec> explicitPaths = new ArrayList<>();
        private int subflows = -1;
        private int addAddrAccepted = -1;
        private boolean perClass;

        private Builder() {
        }

        /** The hosts, in order (host {@code i} gets address byte {@code i + 1}). */
        public Builder hosts(String... names) {
            hosts.clear();
            for (String n : names) {
                hosts.add(AddressPlan.checkHostName(n));
            }
            return this;
        }

        /** {@code count} paths between the first two hosts, numbered 1..count, each shaped to {@code rateMbit} (0 = unshaped). */
        public Builder paths(int count, int rateMbit) {
            if (count < 0 || count > AddressPlan.MAX_PATHS) {
                throw new IllegalArgumentException("path count " + count + " out of range 0.." + AddressPlan.MAX_PATHS);
            }
            defaultPaths = count;
            defaultRate = checkRate(rateMbit);
            return this;
        }

        /** One more path between two named hosts, numbered after the {@link #paths} ones. */
        public Builder path(String a, String b, int rateMbit) {
            explicitPaths.add(new PathSpec(AddressPlan.checkHostName(a), AddressPlan.checkHostName(b), checkRate(rateMbit)));
            return this;
        }

        /** {@code ip mptcp limits set subflows X add_addr_accepted Y} in every host (kernel maximum 8 each). */
        public Builder mptcpLimits(int subflows, int addAddrAccepted) {
            if (subflows < 0 || subflows > 8 || addAddrAccepted < 0 || addAddrAccepted > 8) {
                throw new IllegalArgumentException("MPTCP limits must be 0..8 (MPTCP_PM_ADDR_MAX), got subflows "
                        + subflows + ", add_addr_accepted " + addAddrAccepted);
            }
            this.subflows = subflows;
            this.addAddrAccepted = addAddrAccepted;
            return this;
        }

        /** One topology per test class instead of one per test method. */
        public Builder perClass() {
            perClass = true;
            return this;
        }

        /** Validates the description and returns the extension. */
        public Testbed build() {
            return new Testbed(spec());
        }

        Spec spec() {
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("a testbed needs at least one host: call hosts(\"c\", \"s\")");
            }
            if (new LinkedHashSet<>(hosts).size() != hosts.size()) {
                throw new IllegalArgumentException("duplicate host names in " + hosts);
            }
            if (hosts.size() > AddressPlan.MAX_HOSTS) {
                throw new IllegalArgumentException("at most " + AddressPlan.MAX_HOSTS + " hosts, got " + hosts.size());
            }
            List<PathSpec> all = new ArrayList<>();
            if (defaultPaths > 0) {
                if (hosts.size() < 2) {
                    throw new IllegalArgumentException("paths(" + defaultPaths + ", ...) needs two hosts, got " + hosts);
                }
                for (int i = 0; i < defaultPaths; i++) {
                    all.add(new PathSpec(hosts.get(0), hosts.get(1), defaultRate));
                }
            }
            for (PathSpec p : explicitPaths) {
                if (!hosts.contains(p.a()) || !hosts.contains(p.b())) {
                    throw new IllegalArgumentException("path " + p.a() + "-" + p.b() + " names a host not in hosts(" + hosts + ")");
                }
                if (p.a().equals(p.b())) {
                    throw new IllegalArgumentException("a path needs two different hosts, got " + p.a() + "-" + p.b());
                }
                all.add(p);
            }
            if (all.size() > AddressPlan.MAX_PATHS) {
                throw new IllegalArgumentException("at most " + AddressPlan.MAX_PATHS + " paths, got " + all.size());
            }
            return new Spec(List.copyOf(hosts), List.copyOf(all), subflows, addAddrAccepted, perClass);
        }

        private static int checkRate(int rateMbit) {
            if (rateMbit < 0 || rateMbit > 100_000) {
                throw new IllegalArgumentException("rate " + rateMbit + " Mbit/s out of range 0..100000 (0 = unshaped)");
            }
            return rateMbit;
        }
    }

    /** One declared path. */
    record PathSpec(String a, String b, int rateMbit) {
        PathSpec {
            Objects.requireNonNull(a);
            Objects.requireNonNull(b);
        }
    }

    /** The validated topology description. Path {@code i} in the list has number {@code i + 1}. */
    record Spec(List<String> hosts, List<PathSpec> paths, int subflows, int addAddrAccepted, boolean perClass) {
        boolean hasLimits() {
            return subflows >= 0;
        }
    }
}
