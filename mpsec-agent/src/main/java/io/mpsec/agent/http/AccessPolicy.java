package io.mpsec.agent.http;

import io.mpsec.agent.log.EventLog;
import java.util.Objects;

/**
 * Who may use the agent's HTTP server, shared by all connections of one server.
 *
 * @param token the access token; {@code null}: no authentication (allowed on loopback binds only,
 *        where the Host header check guards against DNS rebinding)
 * @param secure whether the server speaks TLS (the session cookie is then {@code Secure} and named
 *        {@code __Host-mpsec_session})
 * @param sessions the browser sessions made at {@code /login}
 * @param throttle refuses clients after repeated failed authentications
 * @param log where authentication failures are logged (never with the presented token or a session id)
 */
public record AccessPolicy(AccessToken token, boolean secure, SessionStore sessions,
        LoginThrottle throttle, EventLog log) {
    /** Checks the components. */
    public AccessPolicy {
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(throttle, "throttle");
        Objects.requireNonNull(log, "log");
    }

    /** Whether requests must authenticate. */
    public boolean requiresToken() {
        return token != null;
    }

    /** The session cookie's name: with the {@code __Host-} prefix under TLS, which browsers bind to this origin. */
    public String cookieName() {
        return secure ? "__Host-mpsec_session" : "mpsec_session";
    }
}
