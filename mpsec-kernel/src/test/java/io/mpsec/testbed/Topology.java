package io.mpsec.testbed;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One built topology: creates namespaces, veths, addresses, HTB and limits; {@link #close} removes all of it. */
final class Topology implements AutoCloseable {
    private static final Set<Topology> LIVE = ConcurrentHashMap.newKeySet();

    static {
        // Ctrl-C or a normal JVM exit with a topology still up (e.g. a crashed extension) still cleans up.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Topology t : List.copyOf(LIVE)) {
                try {
                    t.close();
                } catch (Throwable ignored) {
                    // best effort at exit; the next run removes what is left (stale PID)
                }
            }
        }, "mpsec-testbed-cleanup"));
    }

    private final Map<String, HostImpl> hosts = new LinkedHashMap<>();
    private final List<PathImpl> paths = new ArrayList<>();
    private final List<String> createdNamespaces = new ArrayList<>();
    private boolean closed;

    private Topology() {
    }

    static Topology create(Testbed.Spec spec) {
        removeStaleNamespaces();
        Topology t = new Topology();
        LIVE.add(t);
        try {
            t.build(spec);
            return t;
        } catch (Throwable e) {
            try {
                t.close();
            } catch (Throwable suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void build(Testbed.Spec spec) {
        long pid = ProcessHandle.current().pid();
        String tag = AddressPlan.randomTag();
        String ip = Privileged.ip();
        for (int i = 0; i < spec.hosts().size(); i++) {
            String name = spec.hosts().get(i);
            String ns = AddressPlan.namespaceName(pid, tag, name);
            Shell.runOk(List.of(ip, "netns", "add", ns));
            createdNamespaces.add(ns);
            Shell.runOk(List.of(ip, "-n", ns, "link", "set", "dev", "lo", "up"));
            hosts.put(name, new HostImpl(this, name, i, ns));
        }
        for (int i = 0; i < spec.paths().size(); i++) {
            Testbed.PathSpec ps = spec.paths().get(i);
            PathImpl p = new PathImpl(i + 1, hosts.get(ps.a()), hosts.get(ps.b()), ps.rateMbit());
            paths.add(p);
            p.create();
        }
        if (spec.hasLimits()) {
            for (HostImpl h : hosts.values()) {
                h.execOk(ip, "mptcp", "limits", "set", "subflows", Integer.toString(spec.subflows()),
                        "add_addr_accepted", Integer.toString(spec.addAddrAccepted()));
            }
        }
        for (PathImpl p : paths) {
            p.awaitUp();
        }
    }

    HostImpl host(String name) {
        HostImpl h = hosts.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no host '" + name + "' in this testbed; hosts are " + hosts.keySet());
        }
        return h;
    }

    PathImpl path(int number) {
        if (number < 1 || number > paths.size()) {
            throw new IllegalArgumentException("no path " + number + " in this testbed; paths are 1.." + paths.size());
        }
        return paths.get(number - 1);
    }

    List<HostImpl> hosts() {
        return List.copyOf(hosts.values());
    }

    List<PathImpl> paths() {
        return List.copyOf(paths);
    }

    /** Namespace names this topology created (also the partially built ones). */
    List<String> namespaces() {
        return List.copyOf(createdNamespaces);
    }

    /**
     * Kills the processes started in the hosts and every other process left in the namespaces, stops
     * the namespace threads and deletes the namespaces. Tries everything, then reports all failures.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LIVE.remove(this);
        List<String> errors = new ArrayList<>();
        for (HostImpl h : hosts.values()) {
            try {
                h.shutdown();
            } catch (RuntimeException e) {
                errors.add(h.name() + ": " + e);
            }
        }
        for (String ns : createdNamespaces) {
            String error = deleteNamespace(ns);
            if (error != null) {
                errors.add(error);
            }
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("testbed teardown incomplete: " + String.join("; ", errors));
        }
    }

    /** Kills whatever still runs in {@code ns}, then deletes it; returns an error text or null. */
    static String deleteNamespace(String ns) {
        String ip = Privileged.ip();
        long self = ProcessHandle.current().pid();
        ExecResult pids = Shell.run(List.of(ip, "netns", "pids", ns));
        if (pids.ok()) {
            for (String line : pids.stdout().split("\\s+")) {
                if (!line.isBlank()) {
                    long pid = Long.parseLong(line.trim());
                    if (pid != self) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
        }
        ExecResult r = Shell.run(List.of(ip, "netns", "del", ns));
        if (!r.ok() && Files.exists(java.nio.file.Path.of("/var/run/netns", ns))) {
            return "ip netns del " + ns + " failed: " + r.stderr().strip();
        }
        return null;
    }

    /** Deletes testbed namespaces whose creator process no longer exists (left by an aborted run). */
    static void removeStaleNamespaces() {
        java.nio.file.Path dir = java.nio.file.Path.of("/var/run/netns");
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<String> stale = new ArrayList<>();
        try (DirectoryStream<java.nio.file.Path> entries = Files.newDirectoryStream(dir, AddressPlan.PREFIX + "*")) {
            for (java.nio.file.Path e : entries) {
                String name = e.getFileName().toString();
                OptionalLong pid = AddressPlan.creatorPid(name);
                if (pid.isPresent() && ProcessHandle.of(pid.getAsLong()).isEmpty()) {
                    stale.add(name);
                }
            }
        } catch (IOException e) {
            return; // nothing to clean that we can see
        }
        for (String ns : stale) {
            deleteNamespace(ns);
        }
    }
}
