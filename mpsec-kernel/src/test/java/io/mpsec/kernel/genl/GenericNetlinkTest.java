package io.mpsec.kernel.genl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GenericNetlinkTest {
    @Test
    void resolvesFamilyAndGroups() throws Exception {
        GenlFamily pm = FakeKernel.family("mptcp_pm", 28, 1, 11, Map.of("mptcp_pm_cmds", 8, "mptcp_pm_events", 9));
        FakeKernel k = new FakeKernel(FakeKernel.withFamilies(FakeKernel::ack, pm));
        GenlFamily f = GenericNetlink.resolve(new NetlinkConnection(k), "mptcp_pm");
        assertThat(f).isEqualTo(pm);
        assertThat(f.group("mptcp_pm_events")).hasValue(9);
        assertThat(f.supports(11)).isTrue();
        assertThat(f.supports(12)).isFalse();
        GenlMessage req = GenlMessage.decode(k.lastRequest());
        assertThat(req.cmd()).isEqualTo(Genl.CTRL_CMD_GETFAMILY);
        assertThat(req.reader("r").string(Genl.CTRL_ATTR_FAMILY_NAME)).isEqualTo("mptcp_pm");
    }

    @Test
    void missingFamilyIsNamed() {
        FakeKernel k = new FakeKernel(FakeKernel.withFamilies(FakeKernel::ack));
        assertThatThrownBy(() -> GenericNetlink.resolve(new NetlinkConnection(k), "nope"))
                .isInstanceOfSatisfying(GenlFamilyNotFoundException.class, e -> {
                    assertThat(e.family()).isEqualTo("nope");
                    assertThat(e.errnoName()).isEqualTo("ENOENT");
                    assertThat(e.getMessage()).contains("nope");
                });
    }
}
