package io.mpsec.agent.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpsec.agent.log.EventLog;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.keys.DerivedSa;
import io.mpsec.ipsec.keys.SaKeyDerivation;
import io.mpsec.ipsec.paths.RekeyHealth;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status socket end to end (real Unix sockets, real files; meters from fake sources). */
class StatusServerTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final EventLog log = new EventLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), EventLog.Format.KV);

    StatusCollector collector(SimpleMeterRegistry r) {
        return new StatusCollector(r, List.of("host"), () -> Map.of("pid", 42L, "uptimeSeconds", 3L),
                ns -> Map.of("lo", "up"));
    }

    @Test
    void answersWithTheSummaryOnAMode0600SocketAndRemovesItOnClose() throws Exception {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        SaKeyDerivation kd = new SaKeyDerivation(SecretBytes.copyOf(new byte[32]), 256);
        List<DerivedSa> sas = SaFixture.bind(r, null, kd, List.of(1L), InetAddress.getByName("198.18.1.1"),
                InetAddress.getByName("198.18.1.2"), RekeyHealth.State.DEGRADED, 60);
        StatusCollector c = collector(r);
        c.register("connections", () -> List.of(Map.of("local", "198.18.1.1:40000", "remote", "198.18.1.2:5000",
                "subflows", 2, "state", "established")));
        Path sock = dir.resolve("run").resolve("agent.sock");
        try (StatusServer s = StatusServer.start(sock, c, log)) {
            assertThat(Files.getPosixFilePermissions(sock, LinkOption.NOFOLLOW_LINKS))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.getPosixFilePermissions(sock.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThat(Files.list(sock.getParent()).toList()).as("no temporary socket left").containsExactly(sock);
            JsonNode n = StatusClient.status(sock);
            assertThat(n.get("protocol").asInt()).isEqualTo(1);
            assertThat(n.get("namespaces").get(0).get("sas")).hasSize(2);
            String text = StatusText.render(n);
            String spi = String.format("0x%08x", sas.get(0).spi());
            assertThat(text).contains("MPSec agent, pid 42, up 3 s", "namespaces: 1", "  host", "SAs: 2",
                    "out " + spi + " 198.18.1.1 -> 198.18.1.2 gen 1", "rekey: DEGRADED, generation 1",
                    "connections: 1", "198.18.1.1:40000 -> 198.18.1.2:5000  subflows 2  established", "warnings: ",
                    "! host: rekeying is DEGRADED", "reaches its hard lifetime in");
            // the server logs the request after it answered: wait for its line (at most 5 s)
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!logBytes.toString(StandardCharsets.UTF_8).contains("event=status.request") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("event=status.request", "request=status",
                    "user=root");
            // a bad request gets an error, not a status
            assertThat(raw(sock, "{\"request\":\"shutdown\"}\n")).contains("\"error\":\"unknown request 'shutdown'");
            assertThat(raw(sock, "not json\n")).contains("\"error\"");
            assertThat(raw(sock, "x".repeat(5000))).contains("request longer than 4096 bytes");
        }
        assertThat(Files.exists(sock, LinkOption.NOFOLLOW_LINKS)).as("socket removed at close").isFalse();
        assertThatThrownBy(() -> StatusClient.status(sock)).hasMessageContaining("no status socket at " + sock)
                .hasMessageContaining("is the agent running");
    }

    @Test
    void withoutSourcesTheSummarySaysWhatIsNotReported() throws Exception {
        String text = StatusText.render(new com.fasterxml.jackson.databind.ObjectMapper()
                .valueToTree(collector(new SimpleMeterRegistry()).collect()));
        assertThat(text).contains("paths (interfaces): 0", "SAs: 0", "rekey: not running here",
                "connections: not reported", "warnings: none");
    }

    @Test
    void aStaleSocketIsRemovedButALiveAgentOrAnotherFileIsNot() throws Exception {
        Path sock = dir.resolve("agent.sock");
        // stale: a socket file nobody listens on
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(sock));
        dead.close();
        assertThat(Files.exists(sock, LinkOption.NOFOLLOW_LINKS)).isTrue();
        try (StatusServer s = StatusServer.start(sock, collector(new SimpleMeterRegistry()), log)) {
            assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("event=status.socket.stale_removed");
            // a second agent on the same socket is refused, and the first keeps its socket
            assertThatThrownBy(() -> StatusServer.start(sock, collector(new SimpleMeterRegistry()), log))
                    .hasMessageContaining("another agent is already listening");
            assertThat(StatusClient.status(sock).get("protocol").asInt()).isEqualTo(1);
        }
        Path file = dir.resolve("file.sock");
        Files.writeString(file, "precious");
        assertThatThrownBy(() -> StatusServer.start(file, collector(new SimpleMeterRegistry()), log))
                .hasMessageContaining("exists and is not a socket").hasMessageContaining("never removes it");
        assertThat(Files.readString(file)).isEqualTo("precious");
        Path link = Files.createSymbolicLink(dir.resolve("link.sock"), file);
        assertThatThrownBy(() -> StatusServer.start(link, collector(new SimpleMeterRegistry()), log))
                .hasMessageContaining("a symbolic link");
    }

    @Test
    void unsafeDirectoriesAreRefused() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> StatusServer.start(open.resolve("a.sock"), collector(new SimpleMeterRegistry()), log))
                .hasMessageContaining("group or others can write").hasMessageContaining("chmod 700 " + open);
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("linkdir"), real);
        assertThatThrownBy(() -> StatusServer.start(link.resolve("a.sock"), collector(new SimpleMeterRegistry()), log))
                .hasMessageContaining("is a symbolic link");
        assertThatThrownBy(() -> SocketFile.checkDirectory(real, false, true, 1234, PosixFilePermissions.fromString("rwx------"), 0))
                .hasMessageContaining("owned by uid 1234");
        assertThatThrownBy(() -> StatusServer.start(dir.resolve("x".repeat(120)), collector(new SimpleMeterRegistry()), log))
                .hasMessageContaining("too long for a Unix socket");
    }

    static String raw(Path sock, String request) throws Exception {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(sock));
            c.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(8192);
            while (c.read(b) >= 0) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
