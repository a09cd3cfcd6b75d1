package io.mpsec.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AddressPlanTest {

    @Test
    void addressesFollowThePlanAndStayInTheBenchmarkingRange() {
        assertThat(AddressPlan.address(1, 0).getHostAddress()).isEqualTo("198.18.1.1");
        assertThat(AddressPlan.address(1, 1).getHostAddress()).isEqualTo("198.18.1.2");
        assertThat(AddressPlan.address(2, 0).getHostAddress()).isEqualTo("198.18.2.1");
        assertThat(AddressPlan.address(255, 253).getHostAddress()).isEqualTo("198.18.255.254");
        assertThat(AddressPlan.cidr(3, 2)).isEqualTo("198.18.3.3/24");
        for (int path = 1; path <= AddressPlan.MAX_PATHS; path += 17) {
            byte[] a = AddressPlan.address(path, 5).getAddress();
            // 198.18.0.0/15: first byte 198, second byte 18 or 19
            assertThat(a[0] & 0xff).isEqualTo(198);
            assertThat(a[1] & 0xfe).isEqualTo(18);
        }
    }

    @Test
    void rejectsPathsAndHostsOutsideThePlan() {
        assertThatThrownBy(() -> AddressPlan.address(0, 0)).hasMessageContaining("path number 0");
        assertThatThrownBy(() -> AddressPlan.address(256, 0)).hasMessageContaining("1..255");
        assertThatThrownBy(() -> AddressPlan.address(1, 254)).hasMessageContaining("host index 254");
        assertThatThrownBy(() -> AddressPlan.address(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void interfaceNamesFitIfnamsiz() {
        assertThat(AddressPlan.iface("c", 1)).isEqualTo("c1");
        assertThat(AddressPlan.iface("router9999", 255)).isEqualTo("router9999255").hasSizeLessThanOrEqualTo(15);
    }

    @Test
    void hostNamesAreValidated() {
        assertThat(AddressPlan.checkHostName("r1")).isEqualTo("r1");
        for (String bad : new String[] {"", "C", "1c", "a-b", "abcdefghijk", "c/s", "c s"}) {
            assertThatThrownBy(() -> AddressPlan.checkHostName(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid testbed host name");
        }
        assertThatThrownBy(() -> AddressPlan.checkHostName(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namespaceNamesEncodeTheCreatorPid() {
        String ns = AddressPlan.namespaceName(4242, "ab12cd", "s");
        assertThat(ns).isEqualTo("mpsec-4242-ab12cd-s");
        assertThat(AddressPlan.creatorPid(ns)).hasValue(4242);
    }

    @Test
    void foreignNamespacesAreNeverClaimed() {
        // only names of exactly our shape can be removed as stale
        for (String other : new String[] {"mpsec", "mpsec-", "mpsec-c", "mpsec-abc-ab12cd-c", "mpsec-12-ab12c-c",
                "mpsec-12-ab12cd-", "mpsec-12-AB12CD-c", "xmpsec-12-ab12cd-c", "mpsec-12-ab12cd-c-x", "ns1"}) {
            assertThat(AddressPlan.creatorPid(other)).as(other).isEmpty();
        }
    }

    @Test
    void randomTagsAreWellFormedAndVary() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String tag = AddressPlan.randomTag();
            assertThat(tag).matches("[a-z0-9]{6}");
            seen.add(tag);
        }
        assertThat(seen).hasSizeGreaterThan(95);
        assertThatThrownBy(() -> AddressPlan.namespaceName(1, "BAD", "c")).isInstanceOf(IllegalArgumentException.class);
    }
}
