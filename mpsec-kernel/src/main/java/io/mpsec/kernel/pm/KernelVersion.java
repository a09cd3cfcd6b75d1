package io.mpsec.kernel.pm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The running kernel's release ({@code /proc/sys/kernel/osrelease}), e.g. {@code 6.18.44-fc-v782}. */
public record KernelVersion(int major, int minor, int patch, String release) {
    private static final Pattern P = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    public static KernelVersion parse(String release) {
        Matcher m = P.matcher(release.trim());
        if (!m.find()) {
            throw new IllegalArgumentException("unrecognised kernel release '" + release + "'");
        }
        return new KernelVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)), release.trim());
    }

    public static KernelVersion current() {
        try {
            return parse(Files.readString(Path.of("/proc/sys/kernel/osrelease")));
        } catch (IOException e) {
            return parse(System.getProperty("os.version", "0.0"));
        }
    }

    public boolean atLeast(int maj, int min) {
        return major > maj || (major == maj && minor >= min);
    }

    @Override
    public String toString() {
        return release;
    }
}
