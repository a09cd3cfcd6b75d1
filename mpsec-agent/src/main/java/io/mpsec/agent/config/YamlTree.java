package io.mpsec.agent.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree whose every node remembers its line and column, read with Jackson's
 * streaming YAML parser (jackson-dataformat-yaml). Data binding would lose the positions of values
 * that fail semantic checks (an address, a key file), so {@link Section} binds the tree by hand.
 */
final class YamlTree {
    private YamlTree() {
    }

    /** A node of the document. */
    sealed interface Node permits MapNode, ListNode, Scalar {
        int line();

        int column();

        /** What the node is, for "expected X, found Y" messages. */
        String kind();
    }

    /** A mapping; keys keep their document order and their own positions. */
    record MapNode(Map<String, Node> entries, Map<String, int[]> keyPositions, int line, int column) implements Node {
        @Override
        public String kind() {
            return "a mapping";
        }
    }

    /** A sequence. */
    record ListNode(List<Node> items, int line, int column) implements Node {
        @Override
        public String kind() {
            return "a list";
        }
    }

    /** A scalar with the token Jackson classified it as (string, integer, float, boolean, null). */
    record Scalar(JsonToken token, String text, int line, int column) implements Node {
        @Override
        public String kind() {
            return switch (token) {
                case VALUE_STRING -> "the string '" + text + "'";
                case VALUE_NUMBER_INT -> "the integer " + text;
                case VALUE_NUMBER_FLOAT -> "the number " + text;
                case VALUE_TRUE, VALUE_FALSE -> "the boolean " + text;
                case VALUE_NULL -> "an empty value";
                default -> "'" + text + "'";
            };
        }
    }

    /** Parses {@code text}; an empty document is an empty mapping. */
    static MapNode parse(String text, String source) throws ConfigException {
        try (JsonParser p = new YAMLFactory().createParser(text)) {
            p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            JsonToken t = p.nextToken();
            if (t == null) {
                return new MapNode(Map.of(), Map.of(), 1, 1);
            }
            Node root = read(p, source, "");
            if (!(root instanceof MapNode m)) {
                throw new ConfigException(source, "", root.line(), root.column(),
                        "the document must be a mapping with the sections mptcp, interfaces, securePaths, agent; found " + root.kind());
            }
            if (p.nextToken() != null) {
                throw new ConfigException(source, "", line(p), column(p), "only one YAML document is allowed per file");
            }
            return m;
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String msg = e.getOriginalMessage();
            if (msg != null && msg.startsWith("Duplicate field")) {
                msg = msg + ": every key may appear once per mapping";
            }
            throw new ConfigException(source, "", l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(),
                    "YAML syntax error: " + msg);
        } catch (IOException e) {
            throw new ConfigException(source, "", 0, 0, "cannot read: " + e.getMessage());
        }
    }

    private static Node read(JsonParser p, String source, String path) throws IOException, ConfigException {
        int line = line(p);
        int col = column(p);
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Node> m = new LinkedHashMap<>();
                Map<String, int[]> pos = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    pos.put(key, new int[] {line(p), column(p)});
                    p.nextToken();
                    m.put(key, read(p, source, Section.join(path, key)));
                }
                return new MapNode(m, pos, line, col);
            }
            case START_ARRAY -> {
                List<Node> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(p, source, path + "[" + items.size() + "]"));
                }
                return new ListNode(items, line, col);
            }
            case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL ->
                    { return new Scalar(t, p.getText(), line, col); }
            default -> throw new ConfigException(source, path, line, col, "unsupported YAML construct (" + t + ")");
        }
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }

    private static int column(JsonParser p) {
        return p.currentTokenLocation().getColumnNr();
    }
}
