package io.mpsec.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Run only by {@link TestbedIT} through the JUnit launcher (disabled otherwise; its name matches no
 * Surefire/Failsafe pattern): a perClass topology whose second test fails on purpose.
 */
@EnabledIf("armed")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TeardownProbe {
    static volatile boolean armed;
    static final Set<String> NAMESPACES = ConcurrentHashMap.newKeySet();
    static final Set<Long> PIDS = ConcurrentHashMap.newKeySet();

    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).perClass().build();

    static boolean armed() {
        return armed;
    }

    @Test
    @Order(1)
    void first() {
        NET.hosts().forEach(h -> NAMESPACES.add(h.namespace()));
        PIDS.add(NET.host("s").startProcess("sleep", "600").pid());
    }

    @Test
    @Order(2)
    void second() {
        NET.hosts().forEach(h -> NAMESPACES.add(h.namespace()));
        PIDS.add(NET.host("c").startProcess("sleep", "600").pid());
        assertThat(NET.host("c").namespace()).as("deliberate failure").isEqualTo("something else");
    }
}
