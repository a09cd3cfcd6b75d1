package io.mpsec.ipsec.paths;

/**
 * One JVM shutdown hook that can be registered and removed again, also from the hook itself (when
 * the JVM is already exiting, removing it is not possible and not needed).
 */
final class ShutdownHook {
    private final String name;
    private Thread thread;

    ShutdownHook(String name) {
        this.name = name;
    }

    /** Registers {@code action} to run on a normal JVM exit or SIGTERM, unless already registered. */
    synchronized void register(Runnable action) {
        if (thread != null) {
            return;
        }
        Thread t = new Thread(action, name);
        Runtime.getRuntime().addShutdownHook(t);
        thread = t;
    }

    /** Removes the hook (no effect when none is registered, or when called while the JVM exits). */
    synchronized void remove() {
        Thread t = thread;
        thread = null;
        if (t != null && Thread.currentThread() != t) {
            try {
                Runtime.getRuntime().removeShutdownHook(t);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting and the hook runs (or ran) itself
            }
        }
    }
}
