package io.mpsec.agent.config;

import com.fasterxml.jackson.core.JsonToken;
import io.mpsec.agent.config.YamlTree.ListNode;
import io.mpsec.agent.config.YamlTree.MapNode;
import io.mpsec.agent.config.YamlTree.Node;
import io.mpsec.agent.config.YamlTree.Scalar;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One mapping of the configuration being bound: typed getters that record which keys were read, and
 * {@link #finish()} that rejects every other key with the list of allowed ones. Every error names the
 * key path, line and column.
 */
final class Section {
    private final String source;
    private final String path;
    private final MapNode node;
    private final Set<String> allowed = new LinkedHashSet<>();

    Section(String source, String path, MapNode node) {
        this.source = source;
        this.path = path;
        this.node = node;
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    String path() {
        return path;
    }

    String source() {
        return source;
    }

    /** An error located at {@code node}. */
    ConfigException error(String keyPath, Node at, String problem) {
        return new ConfigException(source, keyPath, at.line(), at.column(), problem);
    }

    /** An error about this mapping itself. */
    ConfigException error(String problem) {
        return new ConfigException(source, path, node.line(), node.column(), problem);
    }

    /** The node under {@code key}, if present and not null. */
    Optional<Node> raw(String key) {
        allowed.add(key);
        Node n = node.entries().get(key);
        if (n == null || n instanceof Scalar s && s.token() == JsonToken.VALUE_NULL) {
            return Optional.empty();
        }
        return Optional.of(n);
    }

    Node require(String key, String what) throws ConfigException {
        Optional<Node> n = raw(key);
        if (n.isEmpty()) {
            throw error("missing key '" + key + "' (" + what + ")");
        }
        return n.get();
    }

    Optional<Section> section(String key) throws ConfigException {
        Optional<Node> n = raw(key);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        if (!(n.get() instanceof MapNode m)) {
            throw error(join(path, key), n.get(), "expected a mapping, found " + n.get().kind());
        }
        return Optional.of(new Section(source, join(path, key), m));
    }

    /** The items of a list under {@code key} (empty when absent). */
    List<Item> list(String key) throws ConfigException {
        Optional<Node> n = raw(key);
        if (n.isEmpty()) {
            return List.of();
        }
        String p = join(path, key);
        if (!(n.get() instanceof ListNode l)) {
            throw error(p, n.get(), "expected a list, found " + n.get().kind());
        }
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < l.items().size(); i++) {
            out.add(new Item(this, p + "[" + i + "]", l.items().get(i)));
        }
        return out;
    }

    Optional<String> string(String key) throws ConfigException {
        Optional<Node> n = raw(key);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Item(this, join(path, key), n.get()).string());
    }

    String string(String key, String dflt) throws ConfigException {
        return string(key).orElse(dflt);
    }

    Optional<Boolean> bool(String key) throws ConfigException {
        Optional<Node> n = raw(key);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        if (n.get() instanceof Scalar s && (s.token() == JsonToken.VALUE_TRUE || s.token() == JsonToken.VALUE_FALSE)) {
            return Optional.of(s.token() == JsonToken.VALUE_TRUE);
        }
        throw error(join(path, key), n.get(), "expected true or false, found " + n.get().kind());
    }

    boolean bool(String key, boolean dflt) throws ConfigException {
        return bool(key).orElse(dflt);
    }

    Optional<Long> integer(String key, long min, long max) throws ConfigException {
        Optional<Node> n = raw(key);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Item(this, join(path, key), n.get()).integer(min, max));
    }

    long integer(String key, long min, long max, long dflt) throws ConfigException {
        return integer(key, min, max).orElse(dflt);
    }

    /** A string that must be one of {@code choices}. */
    Optional<String> choice(String key, List<String> choices) throws ConfigException {
        Optional<Node> n = raw(key);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Item(this, join(path, key), n.get()).choice(choices));
    }

    Optional<InetAddress> address(String key) throws ConfigException {
        Optional<Node> n = raw(key);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Item(this, join(path, key), n.get()).address());
    }

    Optional<Path> absolutePath(String key) throws ConfigException {
        Optional<Node> n = raw(key);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Item(this, join(path, key), n.get()).absolutePath());
    }

    /** Binds every item of the list under {@code key}. */
    <T> List<T> each(String key, ItemBinder<T> binder) throws ConfigException {
        List<T> out = new ArrayList<>();
        for (Item i : list(key)) {
            out.add(binder.bind(i));
        }
        return List.copyOf(out);
    }

    /** Rejects every key that was not read. */
    void finish() throws ConfigException {
        for (var e : node.entries().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                int[] pos = node.keyPositions().get(e.getKey());
                throw new ConfigException(source, join(path, e.getKey()), pos[0], pos[1],
                        "unknown key '" + e.getKey() + "'; allowed " + (path.isEmpty() ? "sections" : "keys in " + path)
                                + ": " + String.join(", ", allowed));
            }
        }
    }

    /** Binds one list item. */
    @FunctionalInterface
    interface ItemBinder<T> {
        T bind(Item item) throws ConfigException;
    }

    /** One value with its key path: a list item or a mapping's value. */
    record Item(Section owner, String path, Node node) {
        ConfigException error(String problem) {
            return owner.error(path, node, problem);
        }

        Section section() throws ConfigException {
            if (!(node instanceof MapNode m)) {
                throw error("expected a mapping, found " + node.kind());
            }
            return new Section(owner.source(), path, m);
        }

        String string() throws ConfigException {
            if (node instanceof Scalar s && s.token() != JsonToken.VALUE_NULL) {
                if (s.token() != JsonToken.VALUE_STRING) {
                    throw error("expected a string, found " + s.kind() + " (quote it if you mean the text)");
                }
                if (s.text().isBlank()) {
                    throw error("must not be empty");
                }
                return s.text();
            }
            throw error("expected a string, found " + node.kind());
        }

        long integer(long min, long max) throws ConfigException {
            if (!(node instanceof Scalar s) || s.token() != JsonToken.VALUE_NUMBER_INT) {
                throw error("expected an integer " + min + ".." + max + ", found " + node.kind());
            }
            long v;
            try {
                v = Long.parseLong(s.text().replace("_", ""));
            } catch (NumberFormatException e) {
                throw error("expected an integer " + min + ".." + max + ", found " + s.text());
            }
            if (v < min || v > max) {
                throw error("must be " + min + ".." + max + ", found " + v);
            }
            return v;
        }

        String choice(List<String> choices) throws ConfigException {
            String v;
            try {
                v = string();
            } catch (ConfigException e) {
                throw error("expected one of " + String.join(", ", choices) + ", found " + node.kind());
            }
            if (!choices.contains(v)) {
                throw error("unknown value '" + v + "'; allowed: " + String.join(", ", choices));
            }
            return v;
        }

        InetAddress address() throws ConfigException {
            String s;
            try {
                s = string();
            } catch (ConfigException e) {
                throw error("expected an IPv4 or IPv6 address literal such as 198.18.1.1, found " + node.kind());
            }
            return Addresses.literal(s).orElseThrow(() -> error("'" + s + "' is not an IPv4 or IPv6 address literal "
                    + "(host names are not resolved: write the address, e.g. 198.18.1.1 or 2001:2::1)"));
        }

        Path absolutePath() throws ConfigException {
            String s = string();
            Path p = Path.of(s);
            if (!p.isAbsolute()) {
                throw error("'" + s + "' must be an absolute path (starting with /)");
            }
            return p;
        }
    }
}
