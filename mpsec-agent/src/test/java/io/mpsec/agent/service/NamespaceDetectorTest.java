package io.mpsec.agent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamespaceDetectorTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        return Files.writeString(dir.resolve("mpsec.yaml"), text);
    }

    @Test
    void aNonEmptyNetnsKeyAtAnyDepthMeansNamespaces() throws Exception {
        assertThat(NamespaceDetector.namespaceKey(yaml("hosts:\n  - name: a\n  - name: b\n    netns: pc2\n")))
                .contains("hosts[1].netns");
        assertThat(NamespaceDetector.namespaceKey(yaml("watch:\n  netns: [pc1, pc2]\n"))).contains("watch.netns");
    }

    @Test
    void noOrEmptyNetnsKeyMeansNone() throws Exception {
        assertThat(NamespaceDetector.namespaceKey(yaml("interfaces:\n  - dev: eth0\n"))).isEmpty();
        assertThat(NamespaceDetector.namespaceKey(yaml("netns: \"\"\nother:\n  netns: []\n  x: ~\n"))).isEmpty();
        assertThat(NamespaceDetector.namespaceKey(yaml(""))).isEmpty();
    }

    @Test
    void brokenYamlSaysWhichFile() throws Exception {
        Path bad = yaml("a: [1, 2\n");
        assertThatThrownBy(() -> NamespaceDetector.namespaceKey(bad)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(bad + " is not valid YAML");
    }
}
