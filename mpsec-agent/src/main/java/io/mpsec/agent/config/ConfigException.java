package io.mpsec.agent.config;

/**
 * A configuration file that cannot be used: a YAML syntax error, an unknown key, a value of the wrong
 * type or out of range, or a semantic problem (an address that is not a literal, an unsafe key file).
 * The message names the file, line and column, the key path (for example
 * {@code interfaces[1].endpoint.flags}), what was wrong and what is allowed.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String keyPath;
    private final int line;
    private final int column;

    /**
     * @param source  the file name (or another label) the configuration came from
     * @param keyPath where in the document, e.g. {@code mptcp.limits.subflows}; empty for the document
     * @param line    1-based line, 0 when unknown
     * @param column  1-based column, 0 when unknown
     * @param problem what was wrong and what is allowed
     */
    public ConfigException(String source, String keyPath, int line, int column, String problem) {
        super(format(source, keyPath, line, column, problem));
        this.keyPath = keyPath;
        this.line = line;
        this.column = column;
    }

    private static String format(String source, String keyPath, int line, int column, String problem) {
        StringBuilder b = new StringBuilder(source);
        if (line > 0) {
            b.append(':').append(line).append(':').append(column);
        }
        b.append(": ");
        if (!keyPath.isEmpty()) {
            b.append(keyPath).append(": ");
        }
        return b.append(problem).toString();
    }

    /** The key path of the offending value, e.g. {@code interfaces[1].endpoint.flags}. */
    public String keyPath() {
        return keyPath;
    }

    /** 1-based line of the offending value, 0 when unknown. */
    public int line() {
        return line;
    }

    /** 1-based column of the offending value, 0 when unknown. */
    public int column() {
        return column;
    }
}
