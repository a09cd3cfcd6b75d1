package io.mpsec.agent.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Asks a running agent for its status over the Unix socket ({@link StatusServer}'s protocol). */
public final class StatusClient {
    static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusClient() {
    }

    /**
     * Sends {@code {"request":"status"}} to the agent at {@code socket} and returns its answer.
     *
     * @throws IOException when no agent listens there, the socket is not accessible, or the answer is not
     *         JSON or reports an error; the message says what to check
     */
    public static JsonNode status(Path socket) throws IOException {
        if (!Files.exists(socket)) {
            throw new IOException("no status socket at " + socket + ": is the agent running ('mpsec serve')? Give its "
                    + "socket with --socket PATH if it is not the default");
        }
        SocketChannel c;
        try {
            c = StatusServer.connect(socket);
        } catch (ConnectException e) {
            throw new IOException("nothing answers on " + socket + " (connection refused): the agent is not running, "
                    + "the socket is left over from an agent that died", e);
        } catch (AccessDeniedException | SocketException e) {
            throw new IOException("cannot connect to " + socket + ": " + e.getMessage() + "; the socket is mode 0600, "
                    + "run 'mpsec status' as the agent's user (root)", e);
        }
        try (c) {
            c.write(ByteBuffer.wrap("{\"request\":\"status\"}\n".getBytes(StandardCharsets.UTF_8)));
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            while (c.read(b) >= 0) {
                out.write(b.array(), 0, b.position());
                b.clear();
                if (out.size() > MAX_ANSWER_BYTES) {
                    throw new IOException("the agent's answer is longer than " + MAX_ANSWER_BYTES + " bytes");
                }
            }
            JsonNode n = JSON.readTree(out.toByteArray());
            if (n == null || !n.isObject()) {
                throw new IOException("the agent at " + socket + " sent no status (empty answer)");
            }
            if (n.has("error")) {
                throw new IOException("the agent refused the request: " + n.get("error").asText());
            }
            return n;
        }
    }
}
