package io.mpsec.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mpsec.pm.EndpointFlag;
import io.mpsec.pm.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
    @TempDir
    Path dir;

    private static ConfigException fails(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "t.yaml", false));
    }

    private static void assertAt(ConfigException e, String keyPath, int line, int column) {
        assertEquals(keyPath, e.keyPath(), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().startsWith("t.yaml:" + line + ":" + column + ": " + keyPath + ": "), e.getMessage());
    }

    @Test
    void unknownTopLevelSectionNamesTheAllowedOnes() {
        ConfigException e = fails("mptcp:\n  enabled: true\nmtpcp:\n  enabled: true\n");
        assertAt(e, "mtpcp", 3, 1);
        assertTrue(e.getMessage().contains("unknown key 'mtpcp'; allowed sections: mptcp, interfaces, securePaths, agent"),
                e.getMessage());
    }

    @Test
    void unknownNestedKeyNamesItsPathAndTheAllowedKeys() {
        ConfigException e = fails("""
                interfaces:
                  - name: eth0
                  - name: eth1
                    endpoint:
                      flags: [subflow]
                      flagz: [signal]
                """);
        assertAt(e, "interfaces[1].endpoint.flagz", 6, 7);
        assertTrue(e.getMessage().contains("allowed keys in interfaces[1].endpoint: id, flags"), e.getMessage());
    }

    @Test
    void badFlagNamesTheListItemAndTheAllowedFlags() {
        ConfigException e = fails("interfaces:\n  - name: eth0\n  - name: eth1\n    endpoint: {flags: [subflow, sygnal]}\n");
        assertEquals("interfaces[1].endpoint.flags[1]", e.keyPath());
        assertEquals(4, e.line());
        assertTrue(e.getMessage().contains("unknown value 'sygnal'; allowed: signal, subflow, backup, fullmesh"), e.getMessage());
    }

    @Test
    void badAddressIsRefusedWithItsLine() {
        ConfigException e = fails("securePaths:\n  enabled: false\n  peers:\n    - local: [198.18.1.1]\n      remote: [198.18.1.300]\n");
        assertEquals("securePaths.peers[0].remote[0]", e.keyPath());
        assertEquals(5, e.line());
        assertTrue(e.getMessage().contains("'198.18.1.300' is not an IPv4 or IPv6 address literal"), e.getMessage());
    }

    @Test
    void hostNamesAreNotResolved() {
        ConfigException e = fails("agent:\n  listen: localhost\n");
        assertAt(e, "agent.listen", 2, 11);
        assertTrue(e.getMessage().contains("host names are not resolved"), e.getMessage());
    }

    @Test
    void typeErrorsShowLineAndWhatWasExpected() {
        ConfigException e = fails("mptcp:\n  enabled: yes please\n");
        assertAt(e, "mptcp.enabled", 2, 12);
        assertTrue(e.getMessage().contains("expected true or false, found the string 'yes please'"), e.getMessage());

        e = fails("mptcp:\n  limits:\n    subflows: two\n    addAddrAccepted: 2\n");
        assertAt(e, "mptcp.limits.subflows", 3, 15);
        assertTrue(e.getMessage().contains("expected an integer 0..8"), e.getMessage());

        e = fails("mptcp:\n  limits: {subflows: 9, addAddrAccepted: 2}\n");
        assertEquals("mptcp.limits.subflows", e.keyPath());
        assertTrue(e.getMessage().contains("must be 0..8, found 9"), e.getMessage());

        e = fails("interfaces: eth0\n");
        assertAt(e, "interfaces", 1, 13);
        assertTrue(e.getMessage().contains("expected a list, found the string 'eth0'"), e.getMessage());
    }

    @Test
    void choicesListWhatIsAllowed() {
        ConfigException e = fails("mptcp:\n  pathManager: fullmesh\n");
        assertTrue(e.getMessage().contains("unknown value 'fullmesh'; allowed: kernel, userspace"), e.getMessage());
        e = fails("agent:\n  logFormat: xml\n");
        assertTrue(e.getMessage().contains("allowed: keyvalue, json"), e.getMessage());
        e = fails("mptcp:\n  strategy: {name: roundrobin}\n");
        assertTrue(e.getMessage().contains("allowed: kernel, fullmesh, backup, ndiffports"), e.getMessage());
    }

    @Test
    void semanticChecks() {
        assertTrue(fails("interfaces:\n  - name: eth0\n    endpoint: {flags: [signal, fullmesh]}\n").getMessage()
                .contains("signal and fullmesh cannot be combined"));
        assertTrue(fails("interfaces:\n  - name: eth0\n    sourceRouting: {table: 254}\n").getMessage()
                .contains("table 254 is reserved"));
        assertTrue(fails("interfaces:\n  - name: a\n    sourceRouting: {table: 7}\n  - name: b\n    sourceRouting: {table: 7}\n")
                .getMessage().contains("table 7 is used by two interfaces"));
        assertTrue(fails("mptcp:\n  pathManager: kernel\n  strategy: {name: ndiffports}\n").getMessage()
                .contains("runs over the userspace path manager"));
        assertTrue(fails("securePaths:\n  masterKeyFile: /k\n  peers: [{local: [198.18.1.1], remote: [198.18.1.1]}]\n")
                .getMessage().contains("appears twice"));
        assertTrue(fails("securePaths:\n  masterKeyFile: k.key\n").getMessage().contains("must be an absolute path"));
        assertTrue(fails("securePaths:\n  peers: [{local: [198.18.1.1], remote: [198.18.1.2]}]\n").getMessage()
                .contains("missing key 'masterKeyFile'"));
        ConfigException dup = fails("mptcp:\n  enabled: true\n  enabled: false\n");
        assertEquals(3, dup.line());
        assertTrue(dup.getMessage().contains("Duplicate field 'enabled'"), dup.getMessage());
        assertTrue(fails("mptcp: [").getMessage().contains("YAML syntax error"));
    }

    @Test
    void emptyFileMeansDefaults() throws ConfigException {
        MpsecConfig c = ConfigLoader.parse("", "t.yaml", true);
        assertNull(c.mptcp().enabled());
        assertEquals(List.of(), c.interfaces());
        assertEquals(false, c.securePaths().enabled());
        assertEquals(9464, c.agent().port());
        assertEquals("127.0.0.1", c.agent().listen().getHostAddress());
        assertEquals(Path.of("/run/mpsec/agent.sock"), c.agent().statusSocket());
        assertEquals(List.of("host"), c.agent().namespaces());
        assertEquals(new AgentSettings.PerConnectionSeries(false, 100), c.agent().perConnectionSeries());
        assertEquals("keyvalue", c.agent().logFormat());
    }

    private Path keyFile(String perms) throws IOException {
        Path k = dir.resolve("master.key");
        Files.write(k, new byte[32]);
        Files.setPosixFilePermissions(k, PosixFilePermissions.fromString(perms));
        return k;
    }

    private String withKey(Path key) {
        return "securePaths:\n  masterKeyFile: " + key + "\n  peers:\n    - local: [198.18.1.1]\n      remote: [198.18.1.2]\n";
    }

    @Test
    void keyFileReadableByOthersSaysChmod600() throws IOException {
        Path k = keyFile("rw-r--r--");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(withKey(k), "t.yaml", true));
        assertAt(e, "securePaths.masterKeyFile", 2, 18);
        assertTrue(e.getMessage().contains("accessible by group or others (rw-r--r--): run 'chmod 600 " + k + "'"), e.getMessage());
    }

    @Test
    void keyFileMissingOrSymlinkIsRefused() throws IOException {
        Path missing = dir.resolve("none.key");
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(withKey(missing), "t.yaml", true))
                .getMessage().contains("does not exist: create it with 'mpsec keygen"));
        Path k = keyFile("rw-------");
        Path link = dir.resolve("link.key");
        Files.createSymbolicLink(link, k);
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(withKey(link), "t.yaml", true))
                .getMessage().contains("is a symbolic link"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(withKey(dir), "t.yaml", true))
                .getMessage().contains("is not a regular file"));
    }

    @Test
    void goodKeyFileLoadsFromDisk() throws Exception {
        Path k = keyFile("rw-------");
        Path cfg = dir.resolve("mpsec.yaml");
        Files.writeString(cfg, withKey(k));
        MpsecConfig c = ConfigLoader.load(cfg);
        assertEquals(k, c.securePaths().masterKeyFile());
        assertEquals(List.of(InetAddress.getByName("198.18.1.2")), c.securePaths().peers().get(0).remote());
        assertTrue(c.securePaths().failClosed());
        assertEquals(SecurePathsSettings.DEFAULT_LIFETIME, c.securePaths().lifetime());
    }

    static String sample(String name) throws IOException {
        try (InputStream in = ConfigTest.class.getResourceAsStream("/io/mpsec/agent/samples/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void samplesParse() throws Exception {
        MpsecConfig main = ConfigLoader.parse(sample("mpsec.yaml"), "mpsec.yaml", false);
        assertEquals(2, main.interfaces().size());
        assertEquals(Set.of(EndpointFlag.SUBFLOW, EndpointFlag.BACKUP), main.interfaces().get(1).endpoint().flags());
        assertEquals("192.0.2.1", main.interfaces().get(0).sourceRouting().gateway().getHostAddress());

        MpsecConfig pc1 = ConfigLoader.parse(sample("demo-pc1.yaml"), "demo-pc1.yaml", false);
        MpsecConfig pc2 = ConfigLoader.parse(sample("demo-pc2.yaml"), "demo-pc2.yaml", false);
        assertEquals(new Limits(2, 2), pc1.mptcp().limits());
        assertEquals(List.of("pc11", "pc12"), pc1.interfaces().stream().map(InterfaceSettings::name).toList());
        assertEquals(List.of("pc21", "pc22"), pc2.interfaces().stream().map(InterfaceSettings::name).toList());
        assertEquals(Set.of(EndpointFlag.SUBFLOW), pc1.interfaces().get(1).endpoint().flags());
        assertEquals(Set.of(EndpointFlag.SIGNAL), pc2.interfaces().get(1).endpoint().flags());
        // the two hosts see the same pairs from opposite ends
        assertEquals(pc1.securePaths().peers().get(0).local(), pc2.securePaths().peers().get(0).remote());
        assertEquals(pc1.securePaths().peers().get(0).remote(), pc2.securePaths().peers().get(0).local());
        assertEquals("cubic", pc1.mptcp().congestionControl().algorithm());
    }
}
