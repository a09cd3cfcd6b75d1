package io.mpsec.agent.service;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What the systemd units are written from: the agent binary, the configuration file and whether the
 * agent enters network namespaces (which needs CAP_SYS_ADMIN for {@code setns(2)}).
 *
 * @param binary     absolute path of the agent launcher, {@code /usr/bin/mpsec-agent} by default
 * @param config     absolute path of the agent's YAML configuration
 * @param namespaces whether the units get CAP_SYS_ADMIN to enter named network namespaces
 */
public record ServiceOptions(Path binary, Path config, boolean namespaces) {
    /** The launcher the Debian package installs. */
    public static final Path DEFAULT_BINARY = Path.of("/usr/bin/mpsec-agent");
    /** The configuration file the Debian package installs. */
    public static final Path DEFAULT_CONFIG = Path.of("/etc/mpsec/mpsec.yaml");

    /** Validates both paths: absolute, and free of characters a unit file would misread. */
    public ServiceOptions {
        Objects.requireNonNull(binary, "binary");
        Objects.requireNonNull(config, "config");
        check("--binary", binary);
        check("--config", config);
    }

    /** The package's defaults: {@code /usr/bin/mpsec-agent}, {@code /etc/mpsec/mpsec.yaml}, no namespaces. */
    public static ServiceOptions defaults() {
        return new ServiceOptions(DEFAULT_BINARY, DEFAULT_CONFIG, false);
    }

    private static void check(String option, Path path) {
        String s = path.toString();
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException(option + " " + s + " is not an absolute path; systemd needs one,"
                    + " for example /etc/mpsec/mpsec.yaml");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            // systemd.service(5) "Command lines": whitespace splits words, quotes and backslashes are
            // parsed, '%' starts a specifier and '$' a variable; none belongs in these paths.
            if (Character.isWhitespace(c) || Character.isISOControl(c) || "%$\"'\\;".indexOf(c) >= 0) {
                throw new IllegalArgumentException(option + " " + s + " contains '" + printable(c)
                        + "', which a systemd command line would not read literally; use a path without"
                        + " whitespace, quotes, backslashes, ';', '%' or '$'");
            }
        }
    }

    private static String printable(char c) {
        return Character.isISOControl(c) || Character.isWhitespace(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
