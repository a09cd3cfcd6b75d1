package io.mpsec.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mpsec.kernel.socket.SocketLeaks;
import java.util.function.LongSupplier;

/**
 * This JVM's own MPSec sockets ({@code java.net} API: client, accepted and server sockets; Netty
 * channels are not counted), with no namespace tag since they belong to the process:
 * <ul>
 *   <li>{@code mpsec.sockets.open}: sockets open now ({@code SocketLeaks.open()});</li>
 *   <li>{@code mpsec.sockets.leaked}: sockets that were never closed and that the garbage collector's
 *       cleaner closed ({@code io.mpsec.Mptcp.leakedSockets()}), a function counter.</li>
 * </ul>
 * Both are read from two counters in memory: no system call.
 */
public final class MpsecSocketMetrics implements MeterBinder {
    /** Both sources in one object, which the gauge holds strongly, so the counter's weak reference stays valid. */
    private record Counts(LongSupplier open, LongSupplier leaked) {
    }

    private final Counts counts;

    /** The JVM's MPSec sockets. */
    public MpsecSocketMetrics() {
        this(SocketLeaks::open, SocketLeaks::count);
    }

    MpsecSocketMetrics(LongSupplier open, LongSupplier leaked) {
        this.counts = new Counts(open, leaked);
    }

    @Override
    public void bindTo(MeterRegistry r) {
        Gauge.builder("mpsec.sockets.open", counts, c -> c.open().getAsLong()).strongReference(true)
                .description("MPSec sockets of this JVM open now (client, accepted and server sockets)").register(r);
        FunctionCounter.builder("mpsec.sockets.leaked", counts, c -> c.leaked().getAsLong())
                .description("MPSec sockets never closed by their owner, closed by the garbage collector's cleaner")
                .register(r);
    }
}
