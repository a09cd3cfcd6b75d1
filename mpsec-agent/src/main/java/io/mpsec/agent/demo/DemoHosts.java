package io.mpsec.agent.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mpsec.agent.config.ConfigException;
import io.mpsec.agent.config.ConfigLoader;
import io.mpsec.agent.setup.SetupEngine;
import io.mpsec.agent.setup.SetupException;
import io.mpsec.ipsec.keys.MasterKeyFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Configures PC1 and PC2 the way a user configures a host: with {@code mpsec-agent setup}, from the
 * sample configurations kept in the jar ({@code samples/demo-pc1.yaml}, {@code demo-pc2.yaml}). The
 * samples describe two paths; for N paths the demo adds the interfaces and peer addresses of the
 * others, points the master key at a fresh one of its own, and switches the secure paths off on a
 * kernel without ESP. Everything it writes lives in one private directory, removed by {@link #close()}.
 */
final class DemoHosts implements AutoCloseable {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final Path dir;

    private DemoHosts(Path dir) {
        this.dir = dir;
    }

    /** A private (0700) working directory for the configurations, the master key and the snapshots. */
    static DemoHosts create() throws IOException {
        return new DemoHosts(Files.createTempDirectory("mpsec-demo-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
    }

    /**
     * Asks the kernel whether it can do ESP: adds and deletes a throwaway transport SA
     * ({@code rfc4106(gcm(aes))}, random key) in PC1's namespace.
     */
    static boolean espAvailable(DemoTestbed net) throws InterruptedException {
        byte[] key = new byte[20];
        new SecureRandom().nextBytes(key);
        String hex = "0x" + HexFormat.of().formatHex(key);
        Arrays.fill(key, (byte) 0);
        try {
            DemoTestbed.sh("ip", "-n", net.pc1(), "xfrm", "state", "add", "src", DemoTestbed.address(1, 1), "dst",
                    DemoTestbed.address(1, 2), "proto", "esp", "spi", "0x6d7fffff", "mode", "transport", "aead",
                    "rfc4106(gcm(aes))", hex, "128");
            DemoTestbed.sh("ip", "-n", net.pc1(), "xfrm", "state", "flush");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs {@code setup} on both hosts; prints each plan indented under its host. */
    void configure(DemoTestbed net, boolean esp, PrintStream out) throws IOException, InterruptedException {
        // one master key, one copy per host (like copying it to the peer): each host keeps its own
        // generation ledger next to its copy
        Path key = dir.resolve("pc1.key");
        MasterKeyFile.generate(key);
        Files.copy(key, dir.resolve("pc2.key"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        for (int h = 1; h <= 2; h++) {
            String ns = h == 1 ? net.pc1() : net.pc2();
            key = dir.resolve("pc" + h + ".key");
            Path file = dir.resolve("pc" + h + ".yaml");
            Files.writeString(file, config(h, net.paths(), esp, key, ns, out));
            out.printf("configuring PC%d: mpsec-agent setup --config %s --netns %s (from samples/demo-pc%d.yaml)%n", h, file, ns, h);
            ByteArrayOutputStream plan = new ByteArrayOutputStream();
            try (PrintStream p = new PrintStream(plan, true, StandardCharsets.UTF_8)) {
                new SetupEngine(dir.resolve("state"), p).setup(ConfigLoader.load(file), file.toString(), ns, false);
            } catch (ConfigException | SetupException e) {
                throw new IOException("setup of PC" + h + " failed: " + e.getMessage(), e);
            } finally {
                plan.toString(StandardCharsets.UTF_8).lines().forEach(l -> out.println("    " + l));
            }
        }
    }

    /** The configuration of host {@code h} for {@code paths} paths, derived from the sample. */
    static String config(int h, int paths, boolean esp, Path key, String ns, PrintStream out) throws IOException {
        ObjectNode root;
        try (InputStream in = DemoHosts.class.getResourceAsStream("/io/mpsec/agent/samples/demo-pc" + h + ".yaml")) {
            if (in == null) {
                throw new IOException("samples/demo-pc" + h + ".yaml is missing from the jar");
            }
            root = (ObjectNode) YAML.readTree(in);
        }
        ObjectNode mptcp = (ObjectNode) root.get("mptcp");
        ObjectNode limits = (ObjectNode) mptcp.get("limits");
        limits.put("subflows", Math.max(2, paths));
        limits.put("addAddrAccepted", Math.max(2, paths));
        JsonNode cc = mptcp.get("congestionControl");
        if (cc != null && !hostAllows(cc.path("algorithm").asText())) {
            // the allowed list is host-wide: the demo changes nothing outside its namespaces
            mptcp.remove("congestionControl");
        }
        ArrayNode ifaces = (ArrayNode) root.get("interfaces");
        ObjectNode template = (ObjectNode) ifaces.get(ifaces.size() - 1);
        while (ifaces.size() > paths) {
            ifaces.remove(ifaces.size() - 1);
        }
        for (int p = ifaces.size() + 1; p <= paths; p++) {
            ObjectNode extra = template.deepCopy();
            extra.put("name", DemoTestbed.iface(h, p));
            ((ObjectNode) extra.get("endpoint")).put("id", p);
            ((ObjectNode) extra.get("sourceRouting")).put("table", 100 + p);
            ifaces.add(extra);
        }
        ObjectNode secure = (ObjectNode) root.get("securePaths");
        secure.put("enabled", esp);
        secure.put("masterKeyFile", key.toString());
        ObjectNode peer = (ObjectNode) secure.get("peers").get(0);
        ArrayNode local = peer.putArray("local");
        ArrayNode remote = peer.putArray("remote");
        for (int p = 1; p <= paths; p++) {
            local.add(DemoTestbed.address(p, h));
            remote.add(DemoTestbed.address(p, 3 - h));
        }
        ((ObjectNode) root.get("agent")).putArray("namespaces").add(ns);
        return YAML.writeValueAsString(root);
    }

    private static boolean hostAllows(String algorithm) {
        try {
            String allowed = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_allowed_congestion_control")).trim();
            return List.of(allowed.split("\\s+")).contains(algorithm);
        } catch (IOException e) {
            return false;
        }
    }

    /** Removes the working directory (the key, the configurations, the snapshots). */
    @Override
    public void close() {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e.getMessage());
        }
    }
}
