package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpsec.agent.log.EventLog;
import io.mpsec.testbed.ExecResult;
import io.mpsec.testbed.Privileged;
import io.mpsec.testbed.Testbed;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent bound beyond loopback, inside a namespace: refused at startup without TLS and a token;
 * then, with a self-signed certificate made by {@code openssl req -x509} and a mode 0600 token file,
 * every request from the client namespace (curl, an independent HTTP and TLS client) must authenticate:
 * 401 without credentials, the bearer token works, the login exchange sets an HttpOnly, Secure,
 * SameSite=Strict cookie that works for a page and for the event stream. The status socket is mode
 * 0600 (stat) and {@code mpsec status} and a python3 client read the real agent through it. The log
 * has the events and neither the token nor the session id.
 */
class AuthIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();
    @TempDir
    Path dir;

    @Test
    void aRemoteAgentNeedsTlsAndATokenAndAuthenticatesEveryRequest() throws Exception {
        Path curl = Privileged.requireTool("curl", "curl");
        Testbed.Host s = NET.host("s");
        Testbed.Host c = NET.host("c");
        String addr = s.address(1).getHostAddress();
        Path[] tls = TestTls.selfSigned(dir, addr);
        Path tokenFile = dir.resolve("token");
        String token = TestTls.tokenFile(tokenFile);
        Path sock = dir.resolve("run").resolve("agent.sock");

        // refused at startup, before anything listens
        String[] noToken = ServeCommandTest.run("serve", "--bind", addr, "--tls-cert", tls[0].toString(), "--tls-key",
                tls[1].toString(), "--no-host-ns", "--status-socket", "none");
        assertThat(noToken[0]).isEqualTo("2");
        assertThat(noToken[2]).contains("refusing to serve on " + addr + " without a token (--token-file FILE, mode 0600)");
        String[] nothing = ServeCommandTest.run("serve", "--bind", addr, "--no-host-ns", "--status-socket", "none");
        assertThat(nothing[2]).contains("without TLS (--tls-cert, --tls-key) and a token (--token-file)");
        Path loose = dir.resolve("loose-token");
        Files.copy(tokenFile, loose);
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
        ServeOptions base = ServeOptions.defaults().withListen(addr, 0).withTls(tls[0], tls[1]).withStatusSocket(sock)
                .withNamespaces(false, List.of(s.namespace()));
        assertThatThrownBy(() -> ServeCommand.Agent.start(base.withTokenFile(loose), EventLog.stderr()))
                .hasMessageContaining("chmod 600 " + loose).hasMessageNotContaining(token);
        Path link = Files.createSymbolicLink(dir.resolve("link-token"), tokenFile);
        assertThatThrownBy(() -> ServeCommand.Agent.start(base.withTokenFile(link), EventLog.stderr()))
                .hasMessageContaining("is a symbolic link");
        assertThat(Files.exists(sock)).isFalse();

        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        EventLog log = new EventLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), EventLog.Format.KV);
        ServeOptions o = base.withTokenFile(tokenFile);
        String cookie;
        try (ServeCommand.Agent agent = s.call(() -> ServeCommand.Agent.start(o, log,
                a -> new TestApp(a.registry()::scrape)))) {
            int port = agent.server().port();
            String url = "https://" + addr + ":" + port;
            assertThat(agent.url()).isEqualTo(url + "/");
            // ss in the server namespace: listening on the remote address, not on loopback or any
            assertThat(s.execOk("ss", "-Hltn").stdout()).contains(addr + ":" + port);

            // no credentials: 401 saying how
            ExecResult none = curl(c, curl, tls[0], url + "/metrics");
            assertThat(none.stdout()).startsWith("HTTP/1.1 401").containsIgnoringCase("www-authenticate: Bearer realm=\"mpsec\"")
                    .contains("Authorization: Bearer TOKEN", "/login").doesNotContain("mpsec_interface");
            // plain HTTP to the TLS port gets no HTTP answer
            ExecResult plain = c.exec(curl.toString(), "-sS", "-i", "--max-time", "5", "http://" + addr + ":" + port + "/metrics");
            assertThat(plain.exitCode()).isNotZero();
            assertThat(plain.stdout()).doesNotContain("HTTP/1.1 200");
            // a wrong bearer token: 401, logged without the token
            ExecResult wrong = curl(c, curl, tls[0], url + "/metrics", "-H", "Authorization: Bearer " + token.substring(1) + "A");
            assertThat(wrong.stdout()).startsWith("HTTP/1.1 401").contains("error=\"invalid_token\"");
            // the bearer token (from a header file, so it is not on the command line)
            Path header = dir.resolve("auth-header");
            Files.writeString(header, "Authorization: Bearer " + token + "\n");
            ExecResult bearer = curl(c, curl, tls[0], url + "/metrics", "-H", "@" + header);
            assertThat(bearer.stdout()).startsWith("HTTP/1.1 200")
                    .contains("mpsec_interface_bytes_total{direction=\"rx\",interface=\"s1\",netns=\"" + s.namespace() + "\"}");

            // the login exchange
            assertThat(curl(c, curl, tls[0], url + "/login").stdout()).startsWith("HTTP/1.1 200")
                    .contains("<form method=\"post\" action=\"/login\">");
            ExecResult login = curl(c, curl, tls[0], url + "/login", "--data-urlencode", "token@" + tokenFile);
            assertThat(login.stdout()).startsWith("HTTP/1.1 303").containsIgnoringCase("location: /\r\n");
            Matcher m = Pattern.compile("(?im)^set-cookie: (__Host-mpsec_session=([A-Za-z0-9_-]{43});[^\r\n]*)").matcher(login.stdout());
            assertThat(m.find()).as(login.stdout()).isTrue();
            String setCookie = m.group(1);
            cookie = m.group(2);
            assertThat(setCookie).containsIgnoringCase("; HttpOnly").contains("; Secure", "; SameSite=Strict", "; Path=/");
            String cookieHeader = "Cookie: __Host-mpsec_session=" + cookie;
            ExecResult page = curl(c, curl, tls[0], url + "/", "-H", cookieHeader);
            assertThat(page.stdout()).startsWith("HTTP/1.1 200").contains("<h1>MPSec dashboard</h1>");
            ExecResult events = curl(c, curl, tls[0], url + "/api/events", "-N", "-H", cookieHeader, "-H",
                    "Accept: text/event-stream");
            assertThat(events.stdout()).startsWith("HTTP/1.1 200").containsIgnoringCase("content-type: text/event-stream")
                    .contains("data: tick 0", "data: tick 4");
            ExecResult eventsNoCookie = curl(c, curl, tls[0], url + "/api/events", "-N", "-H", "Accept: text/event-stream");
            assertThat(eventsNoCookie.stdout()).startsWith("HTTP/1.1 401").doesNotContain("data: tick");

            // the status socket: mode 0600 in a 0700 directory (stat), read by the CLI and by python3
            assertThat(s.execOk("stat", "-c", "%a %F", sock.toString()).stdout().trim()).isEqualTo("600 socket");
            assertThat(s.execOk("stat", "-c", "%a", sock.getParent().toString()).stdout().trim()).isEqualTo("700");
            String[] status = ServeCommandTest.run("status", "--socket", sock.toString());
            assertThat(status[0]).as(status[2]).isEqualTo("0");
            assertThat(status[1]).contains("MPSec agent, pid " + ProcessHandle.current().pid(), "http: " + url + "/ (auth: token)",
                    "namespaces: 1", "  " + s.namespace(), "paths (interfaces): 2", "SAs: 0",
                    "connections: 0", "warnings: none");
            // interface states from rtnetlink in the namespace, as ip link shows them
            assertThat(status[1]).containsPattern("\\n +lo +up +rx").containsPattern("\\n +s1 +up +rx");
            s.execOk("ip", "link", "set", "s1", "down");
            assertThat(ServeCommandTest.run("status", "--socket", sock.toString())[1]).containsPattern("\\n +s1 +down +rx");
            s.execOk("ip", "link", "set", "s1", "up");
            String[] json = ServeCommandTest.run("status", "--socket", sock.toString(), "--json");
            JsonNode n = new ObjectMapper().readTree(json[1]);
            assertThat(n.get("namespaces").get(0).get("name").asText()).isEqualTo(s.namespace());
            ExecResult py = c.execOk("python3", "-c", "import socket,json,sys\n"
                    + "s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b'{\"request\":\"status\"}\\n')\n"
                    + "d=b''\nwhile True:\n  b=s.recv(65536)\n  if not b: break\n  d+=b\n"
                    + "j=json.loads(d); print(j['protocol'], j['namespaces'][0]['name'], sorted(i['name'] for i in j['namespaces'][0]['interfaces']))",
                    sock.toString());
            assertThat(py.stdout().trim()).isEqualTo("1 " + s.namespace() + " ['lo', 's1']");
        }
        assertThat(Files.exists(sock)).as("socket removed when the agent stops").isFalse();
        String logText = logBytes.toString(StandardCharsets.UTF_8);
        Files.writeString(Path.of("target", "auth-it-log.txt"), logText); // test artifact
        assertThat(logText).contains("event=serve.start bind=" + addr, "tls=true auth=token",
                "event=http.auth.failure peer=" + c.address(1).getHostAddress(), "via=bearer", "event=http.login",
                "event=status.request user=root request=status", "event=serve.stop");
        assertThat(logText).doesNotContain(token).doesNotContain(cookie);
    }

    static ExecResult curl(Testbed.Host from, Path curl, Path ca, String url, String... more) {
        List<String> cmd = new java.util.ArrayList<>(List.of(curl.toString(), "-sS", "-i", "--max-time", "10",
                "--cacert", ca.toString()));
        cmd.addAll(List.of(more));
        cmd.add(url);
        ExecResult r = from.exec(cmd.toArray(String[]::new));
        assertThat(r.exitCode()).as("curl " + url + ": " + r.stderr()).isZero();
        return r;
    }
}
