package io.mpsec.agent.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Decides from the agent's configuration whether it enters network namespaces: a key named
 * {@code netns} with a non-empty value, at any depth. Only that key is read; validating the
 * configuration is the agent's job.
 */
public final class NamespaceDetector {
    static final String KEY = "netns";

    private NamespaceDetector() {
    }

    /**
     * The path of the first non-empty {@code netns} key in {@code config} (for example
     * {@code hosts[1].netns}), or empty when there is none.
     *
     * @throws IOException when the file cannot be read or is not YAML
     */
    public static Optional<String> namespaceKey(Path config) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.newBufferedReader(config));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(config + " is not valid YAML: " + e.getOriginalMessage(), e);
        }
        return root == null ? Optional.empty() : find(root, "");
    }

    private static Optional<String> find(JsonNode node, String where) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String path = where.isEmpty() ? field.getKey() : where + "." + field.getKey();
                if (KEY.equals(field.getKey()) && nonEmpty(field.getValue())) {
                    return Optional.of(path);
                }
                Optional<String> inner = find(field.getValue(), path);
                if (inner.isPresent()) {
                    return inner;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                Optional<String> inner = find(node.get(i), where + "[" + i + "]");
                if (inner.isPresent()) {
                    return inner;
                }
            }
        }
        return Optional.empty();
    }

    private static boolean nonEmpty(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return false;
        }
        if (value.isContainerNode()) {
            return value.size() > 0;
        }
        return !value.asText().isBlank();
    }
}
