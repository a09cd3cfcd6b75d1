package io.mpsec.agent.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpsec.agent.Main;
import io.mpsec.testbed.Testbed;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * One run of {@code mpsec-agent doctor} in this JVM (stdout and stderr captured), and what the tests
 * read from it: the verdict per finding id from the text, the JSON tree.
 */
public record DoctorRun(int exit, String out, String err) {
    private static final Pattern LINE = Pattern.compile("^\\[(\\w+)\\]\\s+(\\S+)\\s+(.*)$", Pattern.MULTILINE);

    /** Runs doctor with {@code args} on the calling thread. */
    public static synchronized DoctorRun run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            String[] full = new String[args.length + 1];
            full[0] = "doctor";
            System.arraycopy(args, 0, full, 1, args.length);
            exit = new CommandLine(new Main()).execute(full);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new DoctorRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs doctor (text, no --netns) on a thread inside {@code h}'s namespace. */
    public static DoctorRun inside(Testbed.Host h, String... args) throws Exception {
        return h.call(() -> run(args));
    }

    /** Finding id to its status as printed ({@code ok}, {@code warn}, {@code fail}, {@code info}), in order. */
    public Map<String, String> verdicts() {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = LINE.matcher(out);
        while (x.find()) {
            m.put(x.group(2), x.group(1).toLowerCase(java.util.Locale.ROOT));
        }
        return m;
    }

    /** The text line of finding {@code id}. */
    public String line(String id) {
        Matcher x = LINE.matcher(out);
        while (x.find()) {
            if (x.group(2).equals(id)) {
                return x.group(3);
            }
        }
        throw new AssertionError("no finding " + id + " in:\n" + out);
    }

    public JsonNode json() throws Exception {
        return new ObjectMapper().readTree(out);
    }

    /** The JSON check with this id. */
    public JsonNode check(String id) throws Exception {
        for (JsonNode c : json().get("checks")) {
            if (c.get("id").asText().equals(id)) {
                return c;
            }
        }
        throw new AssertionError("no check " + id + " in:\n" + out);
    }

    /**
     * The independent ESP probe: whether {@code ip xfrm state add ... aead rfc4106(gcm(aes))} succeeds in
     * {@code h}'s namespace (the SA is deleted again; the random throwaway key is never printed).
     */
    public static boolean ipXfrmAcceptsEsp(Testbed.Host h) {
        byte[] key = new byte[20];
        new SecureRandom().nextBytes(key);
        String hex = "0x" + HexFormat.of().formatHex(key);
        boolean ok = h.exec("ip", "xfrm", "state", "add", "src", "198.18.250.1", "dst", "198.18.250.2", "proto", "esp",
                "spi", "0x4242", "mode", "transport", "aead", "rfc4106(gcm(aes))", hex, "128").exitCode() == 0;
        if (ok) {
            h.execOk("ip", "xfrm", "state", "delete", "src", "198.18.250.1", "dst", "198.18.250.2", "proto", "esp", "spi", "0x4242");
        }
        return ok;
    }
}
