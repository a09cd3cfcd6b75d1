package io.mpsec.agent.log;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The agent's structured log: one line per event, {@code key=value} pairs (the default) or one JSON
 * object per line ({@link Format#JSON}), always starting with {@code ts}, {@code level} and
 * {@code event}.
 *
 * <pre>{@code
 * log.info("serve.start").with("bind", "127.0.0.1").with("port", 9464).write();
 * // ts=2026-11-30T01:50:00.123Z level=info event=serve.start bind=127.0.0.1 port=9464
 * }</pre>
 *
 * <p>No secrets: a field whose key names a secret ({@code token}, {@code session}, {@code cookie},
 * {@code key}, {@code secret}, {@code password}, {@code authorization}) is written as
 * {@code <redacted>} whatever its value, so a careless caller cannot log the token or a session id.
 * Callers log facts about secrets ("bearer token rejected"), never the secrets themselves.
 * Lines are written whole (one {@code println} under a lock), so concurrent events never interleave.
 */
public final class EventLog {
    /** Output format. */
    public enum Format {
        /** {@code key=value} pairs; values with spaces, quotes or {@code =} are double-quoted. */
        KV,
        /** One JSON object per line. */
        JSON;

        /** Parses {@code kv} or {@code json} (any case), saying what is allowed otherwise. */
        public static Format parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("log format '" + s + "' is unknown; use kv or json");
            }
        }
    }

    /** Field keys whose values are never written. */
    static final Set<String> SECRET_WORDS = Set.of("token", "session", "cookie", "key", "secret", "password",
            "authorization", "credential");
    static final String REDACTED = "<redacted>";

    private final PrintStream out;
    private final Format format;
    private final Clock clock;

    /** A log writing {@code format} lines to {@code out}. */
    public EventLog(PrintStream out, Format format) {
        this(out, format, Clock.systemUTC());
    }

    EventLog(PrintStream out, Format format, Clock clock) {
        this.out = Objects.requireNonNull(out);
        this.format = Objects.requireNonNull(format);
        this.clock = clock;
    }

    /** A log to standard error in {@code key=value} form. */
    public static EventLog stderr() {
        return new EventLog(System.err, Format.KV);
    }

    /** Starts an {@code info} event. */
    public Event info(String event) {
        return new Event("info", event);
    }

    /** Starts a {@code warn} event. */
    public Event warn(String event) {
        return new Event("warn", event);
    }

    /** Starts an {@code error} event. */
    public Event error(String event) {
        return new Event("error", event);
    }

    /** One event being built; {@link #write()} prints it. Not thread-safe; build it on one thread. */
    public final class Event {
        private final Map<String, Object> fields = new LinkedHashMap<>();

        private Event(String level, String event) {
            fields.put("ts", Instant.now(clock).toString());
            fields.put("level", level);
            fields.put("event", Objects.requireNonNull(event));
        }

        /** Adds a field; {@code null} values are skipped; secret-named keys are redacted. */
        public Event with(String key, Object value) {
            if (!key.matches("[a-zA-Z][a-zA-Z0-9_.]*")) {
                throw new IllegalArgumentException("log field name '" + key + "' must be letters, digits, '_' or '.'");
            }
            if (value != null) {
                fields.put(key, isSecretKey(key) ? REDACTED : value);
            }
            return this;
        }

        /** Adds the exception's class name and message (messages never carry keys in MPSec). */
        public Event with(Throwable t) {
            return with("error", t.getClass().getSimpleName()).with("message", t.getMessage());
        }

        /** Writes the line. */
        public void write() {
            String line = format == Format.JSON ? json(fields) : kv(fields);
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        }
    }

    static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (String w : SECRET_WORDS) {
            if (k.contains(w)) {
                return true;
            }
        }
        return false;
    }

    static String kv(Map<String, Object> fields) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(e.getKey()).append('=');
            String v = String.valueOf(e.getValue());
            if (v.isEmpty() || v.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f)) {
                b.append('"');
                escape(b, v);
                b.append('"');
            } else {
                b.append(v);
            }
        }
        return b.toString();
    }

    static String json(Map<String, Object> fields) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"');
            escape(b, e.getKey());
            b.append("\":");
            Object v = e.getValue();
            if (v instanceof Number || v instanceof Boolean) {
                b.append(v);
            } else {
                b.append('"');
                escape(b, String.valueOf(v));
                b.append('"');
            }
        }
        return b.append('}').toString();
    }

    /** JSON string escaping (also used inside quoted kv values), so a value can never break the line. */
    private static void escape(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
    }
}
