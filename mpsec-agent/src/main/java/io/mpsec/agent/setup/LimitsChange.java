package io.mpsec.agent.setup;

import io.mpsec.agent.setup.NetState.Limits;
import java.io.IOException;
import java.util.List;

/** The in-kernel path manager's limits (MPTCP_PM_CMD_SET_LIMITS). */
record LimitsChange(Limits before, Limits after) implements Change {
    @Override
    public List<String> diff() {
        return List.of("- mptcp limits " + before, "+ mptcp limits " + after);
    }

    @Override
    public void apply(Target t) throws IOException {
        t.pm().setLimits(new io.mpsec.pm.Limits(after.subflows(), after.addAddrAccepted()));
    }

    @Override
    public void revert(Target t) throws IOException {
        t.pm().setLimits(new io.mpsec.pm.Limits(before.subflows(), before.addAddrAccepted()));
    }
}
