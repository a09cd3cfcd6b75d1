package io.mpsec.agent.setup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * iproute2's {@code ip} for what the project has no netlink binding for yet: policy routing rules and
 * routes of a table ({@code RTM_*RULE}, {@code RTM_*ROUTE}). Reads use {@code ip -j} (JSON), so no
 * text is scraped. Runs in a named namespace with {@code ip -n NAME}.
 */
final class IpCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String namespace;

    /** @param namespace an {@code ip netns} name, or {@code null} for this process's namespace */
    IpCommand(String namespace) {
        this.namespace = namespace;
    }

    /** Runs {@code ip [-n NS] ARGS}; a non-zero exit is an IOException with ip's message. */
    String run(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        if (namespace != null) {
            cmd.addAll(List.of("-n", namespace));
        }
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new IOException("cannot run 'ip' (package iproute2): " + e.getMessage(), e);
        }
        try {
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IOException("'" + String.join(" ", cmd) + "' failed: " + new String(err, StandardCharsets.UTF_8).trim());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running ip", e);
        }
    }

    /** Runs a {@code -j} read and returns the JSON array ({@code []} for no output). */
    JsonNode json(List<String> args) throws IOException {
        List<String> a = new ArrayList<>(List.of("-j"));
        a.addAll(args);
        String out = run(a).trim();
        return out.isEmpty() ? JSON.createArrayNode() : JSON.readTree(out);
    }
}
