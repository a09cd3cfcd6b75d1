package io.mpsec.agent.setup;

import io.mpsec.agent.setup.NetState.RuleEntry;
import java.io.IOException;
import java.util.List;

/** Adds or deletes one policy routing rule ({@code ip rule add|del from ADDR lookup TABLE pref PREF}). */
record RuleChange(boolean add, RuleEntry rule) implements Change {
    @Override
    public List<String> diff() {
        return List.of((add ? "+ " : "- ") + rule);
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
        t.ip().run(List.of(rule.from().contains(":") ? "-6" : "-4", "rule", doAdd ? "add" : "del", "from", rule.from(),
                "lookup", Long.toString(rule.table()), "pref", Integer.toString(rule.pref())));
    }
}
