package io.mpsec.testbed;

import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** A testbed host: one named network namespace. */
final class HostImpl implements Testbed.Host {
    private static final Pattern SYSCTL_KEY = Pattern.compile("[a-zA-Z0-9_]+(\\.[a-zA-Z0-9_-]+)+");

    private final Topology topology;
    private final String name;
    private final int index;
    private final String namespace;
    private final List<Process> processes = new ArrayList<>();
    private NetNamespace thread;

    HostImpl(Topology topology, String name, int index, String namespace) {
        this.topology = topology;
        this.name = name;
        this.index = index;
        this.namespace = namespace;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public String namespace() {
        return namespace;
    }

    @Override
    public InetAddress address(int path) {
        topology.path(path).iface(this);
        return AddressPlan.address(path, index);
    }

    @Override
    public String iface(int path) {
        return topology.path(path).iface(this);
    }

    @Override
    public ExecResult exec(String... command) {
        return Shell.run(inNamespace(command));
    }

    @Override
    public ExecResult execOk(String... command) {
        ExecResult r = exec(command);
        if (!r.ok()) {
            throw new AssertionError("command failed in host " + name + " (" + namespace + "): "
                    + String.join(" ", command) + "\n" + r.describe());
        }
        return r;
    }

    @Override
    public <T> T call(Callable<T> task) throws IOException {
        NetNamespace ns;
        synchronized (this) {
            if (thread == null) {
                thread = NetNamespace.open(namespace);
            }
            ns = thread;
        }
        return ns.call(task);
    }

    @Override
    public void sysctl(String key, String value) {
        // Written through a shell inside the namespace: /proc/sys/net shows the netns of the writer.
        execOk("sh", "-c", "printf '%s\\n' \"$1\" > \"$2\"", "sh", value, sysctlPath(key));
    }

    @Override
    public String sysctl(String key) {
        return execOk("cat", sysctlPath(key)).stdout().strip();
    }

    @Override
    public synchronized Process startProcess(String... command) {
        try {
            Process p = new ProcessBuilder(inNamespace(command)).start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command) + " in " + namespace, e);
        }
    }

    /** Kills the started processes (children first) and stops the namespace thread. */
    synchronized void shutdown() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        processes.clear();
        if (thread != null) {
            thread.close();
            thread = null;
        }
    }

    private List<String> inNamespace(String... command) {
        if (command.length == 0) {
            throw new IllegalArgumentException("empty command");
        }
        List<String> full = new ArrayList<>(List.of(Privileged.ip(), "netns", "exec", namespace));
        full.addAll(List.of(command));
        return full;
    }

    private static String sysctlPath(String key) {
        if (key == null || !SYSCTL_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("invalid sysctl key '" + key + "', expected e.g. net.mptcp.enabled");
        }
        return "/proc/sys/" + key.replace('.', '/');
    }

    @Override
    public String toString() {
        return "Host[" + name + " in " + namespace + "]";
    }
}
