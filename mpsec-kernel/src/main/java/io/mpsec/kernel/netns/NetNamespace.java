package io.mpsec.kernel.netns;

import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A named network namespace ({@code ip netns add NAME}, bound at {@code /var/run/netns/NAME}) and a
 * dedicated thread that lives inside it.
 *
 * <p>{@code setns(2)} changes the namespace of the calling thread only. Sockets keep the namespace
 * they were created in, so a socket opened by {@link #call} can be used from any thread afterwards.
 * The thread is created once and never leaves the namespace; no pooled or caller thread is ever
 * switched, which keeps the rest of the JVM in its own namespace.
 *
 * <p>Requires CAP_SYS_ADMIN. Closing the object stops the thread; it does not delete the namespace.
 */
public final class NetNamespace implements AutoCloseable {
    /** Where iproute2 binds named namespaces. */
    public static final Path NETNS_RUN_DIR = Path.of("/var/run/netns");
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String name;
    private final ExecutorService thread;

    private NetNamespace(String name, ExecutorService thread) {
        this.name = name;
        this.thread = thread;
    }

    /**
     * Opens a thread inside the named namespace.
     *
     * @throws IOException when the namespace does not exist or setns fails (EPERM without CAP_SYS_ADMIN)
     */
    public static NetNamespace open(String name) throws IOException {
        if (name == null || name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid network namespace name '" + name + "'");
        }
        Path file = NETNS_RUN_DIR.resolve(name);
        if (!Files.exists(file)) {
            throw new IOException("network namespace '" + name + "' does not exist (no " + file
                    + "); create it with 'ip netns add " + name + "'");
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mpsec-netns-" + name + "-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        NetNamespace ns = new NetNamespace(name, executor);
        try {
            ns.call(() -> {
                enter(file);
                return null;
            });
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
        return ns;
    }

    private static void enter(Path file) throws IOException {
        int fd = Syscalls.libc().open(file.toString(), Syscalls.O_RDONLY | Syscalls.O_CLOEXEC);
        if (fd < 0) {
            throw Errors.newException("open(" + file + ")", Syscalls.errno());
        }
        try {
            if (Syscalls.libc().setns(fd, Syscalls.CLONE_NEWNET) < 0) {
                throw Errors.newException("setns(" + file + ", CLONE_NEWNET)", Syscalls.errno());
            }
        } finally {
            Syscalls.closeQuietly(fd);
        }
    }

    /** The namespace name. */
    public String name() {
        return name;
    }

    /** Runs {@code task} on the thread inside the namespace and returns its result. */
    public <T> T call(Callable<T> task) throws IOException {
        Future<T> f = thread.submit(task);
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while running in network namespace " + name);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException) {
                throw (IOException) c;
            }
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            if (c instanceof Error) {
                throw (Error) c;
            }
            throw new IOException("task in network namespace " + name + " failed: " + c, c);
        }
    }

    /** Runs {@code task} on the namespace thread. */
    public void run(IoRunnable task) throws IOException {
        call(() -> {
            task.run();
            return null;
        });
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    @Override
    public String toString() {
        return "NetNamespace[" + name + "]";
    }

    /** A task that may throw IOException. */
    @FunctionalInterface
    public interface IoRunnable {
        void run() throws Exception;
    }
}
