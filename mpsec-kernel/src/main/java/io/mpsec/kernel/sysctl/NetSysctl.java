package io.mpsec.kernel.sysctl;

import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads and writes {@code /proc/sys} keys of one network namespace. The per-namespace part of
 * /proc/sys (net.*) shows the namespace of the <em>thread</em> that opens the file (the kernel looks
 * up the sysctl set with {@code current->nsproxy->net_ns} at open time; verified by SysctlIT), so
 * every access runs on the {@link NetNamespace}'s own thread; with {@code null} it runs on the caller's
 * thread, in the process's namespace.
 */
public final class NetSysctl {
    private static final Path PROC_SYS = Path.of("/proc/sys");
    private final NetNamespace ns;
    private final Path root;

    public NetSysctl(NetNamespace ns) {
        this(ns, PROC_SYS);
    }

    /** With another root than /proc/sys: for tests that emulate other kernels' sysctl trees. */
    NetSysctl(NetNamespace ns, Path root) {
        this.ns = ns;
        this.root = root;
    }

    public NetNamespace namespace() {
        return ns;
    }

    Path path(String key) {
        if (key.isEmpty() || key.contains("..") || key.startsWith(".") || key.startsWith("/")) {
            throw new IllegalArgumentException("invalid sysctl key '" + key + "'");
        }
        return root.resolve(key.replace('.', '/'));
    }

    /** The value of {@code key} (e.g. {@code net.mptcp.enabled}), trimmed. */
    public String read(String key) throws IOException {
        return readIfPresent(key).orElseThrow(() -> new NoSuchFileException(path(key).toString(), null,
                "sysctl " + key + " does not exist on this kernel"));
    }

    /** The value, or empty when this kernel has no such key. */
    public Optional<String> readIfPresent(String key) throws IOException {
        Path p = path(key);
        return run(() -> Files.exists(p) ? Optional.of(Files.readString(p, StandardCharsets.UTF_8).trim()) : Optional.empty());
    }

    /** Writes {@code value} to {@code key}. The kernel's refusal (EINVAL) surfaces as an IOException naming the key. */
    public void write(String key, String value) throws IOException {
        Path p = path(key);
        run(() -> {
            if (!Files.exists(p)) {
                throw new NoSuchFileException(p.toString(), null, "sysctl " + key + " does not exist on this kernel");
            }
            try {
                Files.writeString(p, value + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IOException("cannot set sysctl " + key + " to '" + value + "': " + e.getMessage(), e);
            }
            return null;
        });
    }

    private <T> T run(java.util.concurrent.Callable<T> task) throws IOException {
        if (ns != null) {
            return ns.call(task);
        }
        try {
            return task.call();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
