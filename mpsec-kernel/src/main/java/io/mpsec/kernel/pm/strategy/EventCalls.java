package io.mpsec.kernel.pm.strategy;

import io.mpsec.pm.PmEvent;
import java.io.IOException;

/** Calls the {@link PmStrategy} callback that matches a path-manager event. */
final class EventCalls {
    private EventCalls() {
    }

    static void deliver(PmStrategy s, PmContext ctx, PmEvent e) throws IOException {
        if (e instanceof PmEvent.Created c) {
            s.onCreated(ctx, c);
        } else if (e instanceof PmEvent.Established c) {
            s.onEstablished(ctx, c);
        } else if (e instanceof PmEvent.Closed c) {
            s.onClosed(ctx, c);
        } else if (e instanceof PmEvent.Announced c) {
            s.onAnnounced(ctx, c);
        } else if (e instanceof PmEvent.Removed c) {
            s.onRemoved(ctx, c);
        } else if (e instanceof PmEvent.SubflowEstablished c) {
            s.onSubflowEstablished(ctx, c);
        } else if (e instanceof PmEvent.SubflowClosed c) {
            s.onSubflowClosed(ctx, c);
        } else if (e instanceof PmEvent.SubflowPriority c) {
            s.onSubflowPriority(ctx, c);
        }
    }
}
