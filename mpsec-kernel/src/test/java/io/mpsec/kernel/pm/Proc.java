package io.mpsec.kernel.pm;

import io.mpsec.testbed.Testbed;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A process started in a testbed host whose stdout lines are collected by a reader thread. */
final class Proc {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();

    private Proc(Process p) {
        this.process = p;
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (Exception e) {
                lines.add("<read error " + e + ">");
            }
        }, "proc-reader");
        t.setDaemon(true);
        t.start();
    }

    static Proc start(Testbed.Host h, String... command) {
        return new Proc(h.startProcess(command));
    }

    /** Starts one of the python MPTCP helpers in src/test/resources/mptcp. */
    static Proc python(Testbed.Host h, String script, String... args) {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "python3";
        cmd[1] = script(script);
        System.arraycopy(args, 0, cmd, 2, args.length);
        return start(h, cmd);
    }

    static String script(String name) {
        try {
            return Path.of(Proc.class.getResource("/mptcp/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits for a line matching {@code p}; fails with everything seen so far. */
    String await(Predicate<String> p, long timeoutMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < end) {
            for (String l : lines) {
                if (p.test(l)) {
                    return l;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no expected line within " + timeoutMillis + " ms; got " + lines
                + (process.isAlive() ? "" : " (exited " + process.exitValue() + ", stderr: " + stderr() + ")"));
    }

    String stderr() {
        try {
            return new String(process.getErrorStream().readNBytes(4000), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "?";
        }
    }

    /** {@code key=value} of the first line starting with {@code prefix}. */
    static String field(String line, String key) {
        for (String t : line.trim().split("\\s+")) {
            if (t.startsWith(key + "=")) {
                return t.substring(key.length() + 1);
            }
        }
        throw new AssertionError("no " + key + "= in '" + line + "'");
    }
}
