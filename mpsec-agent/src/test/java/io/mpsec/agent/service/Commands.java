package io.mpsec.agent.service;

import io.mpsec.testbed.ExecResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a tool for the packaging tests, with a time limit; output goes through files (never blocks). */
final class Commands {
    private Commands() {
    }

    static ExecResult run(Duration timeout, List<String> command) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("mpsec-cmd-", ".out");
            err = Files.createTempFile("mpsec-cmd-", ".err");
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new ExecResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + String.join(" ", command), e);
        } finally {
            for (Path p : new Path[] {out, err}) {
                if (p != null) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // a temporary file left behind is harmless
                    }
                }
            }
        }
    }

    static ExecResult runOk(Duration timeout, List<String> command) {
        ExecResult r = run(timeout, command);
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + r.describe());
        }
        return r;
    }
}
