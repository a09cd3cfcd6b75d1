package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.keys.MasterKeyFile;
import io.mpsec.ipsec.xfrm.XfrmClient;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A separate JVM that applies SecurePaths in its namespace and then waits, so the lane tests can
 * stop it with SIGTERM or kill it with SIGKILL in the middle of a transfer, as a real service would
 * be. Usage: {@code KEYFILE FAILCLOSED LOCAL1,LOCAL2 REMOTE1,REMOTE2}. Prints {@code applied GEN}.
 */
public final class SecurePathsHostMain {
    private SecurePathsHostMain() {
    }

    public static void main(String[] args) throws Exception {
        Path key = Path.of(args[0]);
        boolean failClosed = Boolean.parseBoolean(args[1]);
        XfrmClient xfrm = XfrmClient.open();
        SecurePaths p = SecurePaths.builder().xfrm(xfrm).local(addresses(args[2])).remote(addresses(args[3]))
                .masterKey(MasterKeyFile.load(key)).generations(KeyGenerations.open(key)).failClosed(failClosed).build();
        p.apply();
        System.out.println("applied " + p.activeGeneration());
        System.out.flush();
        while (true) {
            Thread.sleep(300);
            p.maintain(2000);
        }
    }

    private static List<InetAddress> addresses(String csv) throws Exception {
        List<InetAddress> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            out.add(InetAddress.getByName(s));
        }
        return out;
    }

    /** The command line that runs this class with the current JVM and class path. */
    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(SecurePathsHostMain.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The class path of the test run: the JUnit console launcher loads tests through a URLClassLoader. */
    static String classPath() {
        ClassLoader cl = SecurePathsHostMain.class.getClassLoader();
        List<String> parts = new ArrayList<>();
        while (cl != null) {
            if (cl instanceof java.net.URLClassLoader u) {
                for (java.net.URL url : u.getURLs()) {
                    try {
                        parts.add(Path.of(url.toURI()).toString());
                    } catch (java.net.URISyntaxException e) {
                        parts.add(url.getPath());
                    }
                }
            }
            cl = cl.getParent();
        }
        parts.add(System.getProperty("java.class.path"));
        return String.join(java.io.File.pathSeparator, parts);
    }
}
