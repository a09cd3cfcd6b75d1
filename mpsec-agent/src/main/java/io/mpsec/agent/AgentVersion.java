package io.mpsec.agent;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code mpsec-agent --version}: the version Maven wrote into the jar
 * ({@code META-INF/maven/io.mpsec/mpsec-agent/pom.properties}) and the Java runtime that runs it.
 */
public final class AgentVersion implements IVersionProvider {
    static final String POM_PROPERTIES = "/META-INF/maven/io.mpsec/mpsec-agent/pom.properties";

    /** The agent's version, or {@code "unknown"} when not run from the packaged jar (e.g. from classes). */
    public static String version() {
        try (InputStream in = AgentVersion.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank()) {
                    return v.strip();
                }
            }
        } catch (IOException e) {
            // fall through: the version is informational
        }
        return "unknown";
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "MPSec " + version(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                    + System.getProperty("java.home") + ")"};
    }
}
