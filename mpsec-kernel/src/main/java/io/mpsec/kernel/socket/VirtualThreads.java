package io.mpsec.kernel.socket;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Tells virtual threads (Java 21+) from platform threads while MPSec is compiled for Java 17:
 * {@code Thread.isVirtual()} is looked up once at run time; on Java 17-20 every thread is a
 * platform thread.
 */
final class VirtualThreads {
    private static final MethodHandle IS_VIRTUAL = lookup();

    private VirtualThreads() {
    }

    /** Whether the runtime has virtual threads at all. */
    static boolean supported() {
        return IS_VIRTUAL != null;
    }

    /** Whether the calling thread is a virtual thread. */
    static boolean current() {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(Thread.currentThread());
        } catch (Throwable e) {
            return false; // Thread.isVirtual() throws nothing
        }
    }

    private static MethodHandle lookup() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }
}
