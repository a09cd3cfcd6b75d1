package io.mpsec.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs commands to completion with a timeout, capturing stdout and stderr through temporary files. */
final class Shell {
    /** Default limit for one command; testbed commands (ip, tc, nft, cat) take milliseconds. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private Shell() {
    }

    static ExecResult run(List<String> command) {
        return run(command, DEFAULT_TIMEOUT);
    }

    static ExecResult run(List<String> command, Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("mpsec-exec-", ".out");
            err = Files.createTempFile("mpsec-exec-", ".err");
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("command timed out after " + timeout.toSeconds() + " s: "
                        + String.join(" ", command) + "\n" + new ExecResult(-1, read(out), read(err)).describe());
            }
            return new ExecResult(p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Runs the command and throws AssertionError with its output when it exits non-zero. */
    static ExecResult runOk(List<String> command) {
        ExecResult r = run(command);
        if (!r.ok()) {
            throw new AssertionError("command failed: " + String.join(" ", command) + "\n" + r.describe());
        }
        return r;
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }
}
