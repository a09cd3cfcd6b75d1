package io.mpsec.agent.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class EventLogTest {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final Clock clock = Clock.fixed(Instant.parse("2026-11-30T01:00:00Z"), ZoneOffset.UTC);

    EventLog log(EventLog.Format f) {
        return new EventLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), f, clock);
    }

    String out() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void keyValueLinesQuoteWhatNeedsQuotingAndStayOneLine() {
        log(EventLog.Format.KV).info("serve.start").with("bind", "127.0.0.1").with("port", 9464)
                .with("message", "two words \"quoted\"\nsecond line").with("empty", "").with("skipped", null).write();
        assertThat(out()).isEqualTo("ts=2026-11-30T01:00:00Z level=info event=serve.start bind=127.0.0.1 port=9464 "
                + "message=\"two words \\\"quoted\\\"\\nsecond line\" empty=\"\"\n");
    }

    @Test
    void jsonLinesParseAsJson() throws Exception {
        log(EventLog.Format.JSON).warn("http.auth.failure").with("peer", "198.18.1.1:4000").with("tls", true)
                .with("n", 3).with("reason", "bad \u0001 \"x\"\n").write();
        String line = out();
        assertThat(line).endsWith("}\n").doesNotContain("\n{").hasLineCount(1);
        JsonNode n = new ObjectMapper().readTree(line);
        assertThat(n.get("level").asText()).isEqualTo("warn");
        assertThat(n.get("event").asText()).isEqualTo("http.auth.failure");
        assertThat(n.get("tls").asBoolean()).isTrue();
        assertThat(n.get("n").asInt()).isEqualTo(3);
        assertThat(n.get("reason").asText()).isEqualTo("bad \u0001 \"x\"\n");
    }

    @Test
    void secretNamedFieldsAreAlwaysRedacted() {
        String secret = "c2VjcmV0LXZhbHVlLTEyMzQ1Njc4";
        log(EventLog.Format.KV).info("x").with("token", secret).with("session_id", secret).with("Cookie", secret)
                .with("masterKey", secret).with("Authorization", secret).with("password", secret).write();
        assertThat(out()).doesNotContain(secret).contains("token=<redacted>", "session_id=<redacted>",
                "masterKey=<redacted>", "Authorization=<redacted>");
        assertThatThrownBy(() -> log(EventLog.Format.KV).info("x").with("a b", 1)).hasMessageContaining("must be letters");
        assertThat(EventLog.Format.parse("JSON")).isEqualTo(EventLog.Format.JSON);
        assertThatThrownBy(() -> EventLog.Format.parse("xml")).hasMessageContaining("use kv or json");
    }
}
