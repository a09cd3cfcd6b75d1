package io.mpsec.agent.setup;

import io.mpsec.agent.setup.NetState.RouteEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Adds or deletes one route of a source-routing table ({@code ip route add|del ... table T}). */
record RouteChange(boolean add, long table, RouteEntry route) implements Change {
    @Override
    public List<String> diff() {
        return List.of((add ? "+ " : "- ") + "ip route table " + table + " " + route);
    }

    @Override
    public void apply(Target t) throws IOException {
        run(t, add);
    }

    @Override
    public void revert(Target t) throws IOException {
        run(t, !add);
    }

    private void run(Target t, boolean doAdd) throws IOException {
        boolean v6 = route.dst().contains(":") || route.gateway() != null && route.gateway().contains(":")
                || route.prefsrc() != null && route.prefsrc().contains(":");
        List<String> a = new ArrayList<>(List.of(v6 ? "-6" : "-4", "route", doAdd ? "add" : "del"));
        a.addAll(route.args());
        a.addAll(List.of("table", Long.toString(table)));
        t.ip().run(a);
    }
}
