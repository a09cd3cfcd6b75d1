package io.mpsec.agent.web;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/** The recent events, bounded ({@link #CAPACITY}); listeners hear each new one (the SSE stream). */
final class EventLog {
    static final int CAPACITY = 500;
    private final Deque<DashboardEvent> events = new ArrayDeque<>();
    private final List<Consumer<DashboardEvent>> listeners = new CopyOnWriteArrayList<>();
    private final LongSupplier clock;
    private long seq;

    EventLog(LongSupplier epochMillis) {
        this.clock = epochMillis;
    }

    /** Records an event and tells the listeners (on the caller's thread). */
    DashboardEvent add(String netns, String kind, String subject, String status, String message) {
        DashboardEvent e;
        synchronized (this) {
            e = new DashboardEvent(++seq, clock.getAsLong(), netns, kind, subject, status, message);
            events.addLast(e);
            while (events.size() > CAPACITY) {
                events.removeFirst();
            }
        }
        for (Consumer<DashboardEvent> l : listeners) {
            l.accept(e);
        }
        return e;
    }

    /** The events with a sequence number above {@code after}, oldest first, at most {@code limit}. */
    synchronized List<DashboardEvent> after(long after, int limit) {
        List<DashboardEvent> out = new ArrayList<>();
        for (DashboardEvent e : events) {
            if (e.seq() > after) {
                out.add(e);
            }
        }
        return out.size() <= limit ? out : new ArrayList<>(out.subList(out.size() - limit, out.size()));
    }

    void listen(Consumer<DashboardEvent> l) {
        listeners.add(l);
    }
}
