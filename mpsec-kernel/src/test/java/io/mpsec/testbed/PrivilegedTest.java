package io.mpsec.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class PrivilegedTest {
    private final String saved = System.getProperty(Privileged.REQUIRE_ROOT_PROPERTY);

    @AfterEach
    void restoreProperty() {
        if (saved == null) {
            System.clearProperty(Privileged.REQUIRE_ROOT_PROPERTY);
        } else {
            System.setProperty(Privileged.REQUIRE_ROOT_PROPERTY, saved);
        }
    }

    @Test
    void withoutRequireRootAMissingRequirementSkips() {
        System.clearProperty(Privileged.REQUIRE_ROOT_PROPERTY);
        assertThatThrownBy(() -> Privileged.unavailable("not running as root"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("not running as root")
                .hasMessageContaining("sudo ./mpsec test");
    }

    @Test
    void withRequireRootAMissingRequirementFails() {
        System.setProperty(Privileged.REQUIRE_ROOT_PROPERTY, "true");
        assertThatThrownBy(() -> Privileged.unavailable("not running as root"))
                .isInstanceOf(AssertionError.class)
                .isNotInstanceOf(TestAbortedException.class)
                .hasMessageContaining("not running as root");
    }

    @Test
    void aMissingToolNamesTheDebianPackage() {
        System.clearProperty(Privileged.REQUIRE_ROOT_PROPERTY);
        assertThatThrownBy(() -> Privileged.requireTool("mpsec-no-such-tool-xyz", "mpsec-pkg"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("'mpsec-no-such-tool-xyz' is not installed")
                .hasMessageContaining("Debian package 'mpsec-pkg'");
    }

    @Test
    void findsToolsOnPathOrInSbin() {
        assertThat(Privileged.findTool("sh")).isPresent();
        assertThat(Privileged.findTool("/bin/sh")).isPresent();
        assertThat(Privileged.findTool("mpsec-no-such-tool-xyz")).isEmpty();
    }

    @Test
    void capabilityBitsAreReadFromCapEff() {
        Privileged.Status all = new Privileged.Status(0, 0x1fffffffffL);
        Privileged.Status none = new Privileged.Status(1000, 0);
        assertThat(all.hasCapability(Privileged.CAP_SYS_ADMIN)).isTrue();
        assertThat(all.hasCapability(Privileged.CAP_NET_ADMIN)).isTrue();
        assertThat(none.hasCapability(Privileged.CAP_SYS_ADMIN)).isFalse();
        assertThat(new Privileged.Status(0, 1L << 21).hasCapability(Privileged.CAP_NET_ADMIN)).isFalse();
    }
}
