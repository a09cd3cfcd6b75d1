package io.mpsec.agent.doctor;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code managers.networkmanager} and {@code managers.mptcpd}: other programs that manage MPTCP
 * endpoints in the diagnosed namespace and so compete with MPSec's. NetworkManager 1.40+ adds and
 * removes in-kernel endpoints for the addresses of the devices it manages (setting
 * {@code connection.mptcp-flags}, 0x1 = disabled); mptcpd's address-advertising plugin adds an
 * endpoint for every new address (its {@code addr-flags}), or it drives the userspace path manager.
 * Processes are found by name in /proc ({@code comm}); one counts when its network namespace
 * ({@code /proc/PID/ns/net}) is the diagnosed one. Their configuration lines about MPTCP are shown.
 */
final class PathManagerDaemonsCheck implements Check {
    private final Path proc;
    private final Path etc;
    private Map<String, List<Long>> comms;

    PathManagerDaemonsCheck() {
        this(Path.of("/proc"), Path.of("/etc"));
    }

    PathManagerDaemonsCheck(Path proc, Path etc) {
        this.proc = proc;
        this.etc = etc;
    }

    @Override
    public String name() {
        return "managers";
    }

    @Override
    public List<Finding> run(Target t) throws Exception {
        long inode = t.namespaceInode();
        comms = null;
        List<Finding> out = new ArrayList<>();
        out.add(daemon(t, inode, "networkmanager", "NetworkManager",
                config(etc.resolve("NetworkManager/NetworkManager.conf"), etc.resolve("NetworkManager/conf.d"),
                        etc.resolve("NetworkManager/system-connections")),
                "NetworkManager 1.40+ adds and removes MPTCP endpoints for the devices it manages and may replace or "
                        + "remove MPSec's; leave the MPSec interfaces unmanaged (nmcli device set IFACE managed no) or "
                        + "turn its MPTCP handling off: a file in /etc/NetworkManager/conf.d with [connection] "
                        + "connection.mptcp-flags=0x1, then systemctl reload NetworkManager"));
        out.add(daemon(t, inode, "mptcpd", "mptcpd", config(etc.resolve("mptcpd/mptcpd.conf")),
                "mptcpd manages the same endpoints (or the userspace path manager) as MPSec; stop it "
                        + "(systemctl disable --now mptcpd) or run MPSec's hosts without it"));
        return out;
    }

    private Finding daemon(Target t, long inode, String id, String comm, List<String> config, String action) throws IOException {
        List<Long> here = new ArrayList<>();
        List<Long> elsewhere = new ArrayList<>();
        List<Long> unknown = new ArrayList<>();
        for (long pid : pidsNamed(comm)) {
            try {
                long ns = ((Number) Files.getAttribute(proc.resolve(pid + "/ns/net"), "unix:ino")).longValue();
                (ns == inode ? here : elsewhere).add(pid);
            } catch (IOException | SecurityException e) {
                if (Files.exists(proc.resolve(String.valueOf(pid)))) {
                    unknown.add(pid); // still running, but its namespace is not readable
                }
            }
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("pids_in_namespace", here);
        v.put("pids_elsewhere", elsewhere);
        v.put("config", config);
        String conf = config.isEmpty() ? "" : "; MPTCP configuration: " + String.join(" | ", config);
        String title = comm + " managing endpoints";
        if (!here.isEmpty() || !unknown.isEmpty()) {
            String where = !here.isEmpty() ? "runs in this namespace (pid " + join(here) + ")"
                    : "runs (pid " + join(unknown) + "), in a namespace that could not be read";
            return Finding.of("managers." + id, Status.WARN, title, comm + " " + where + conf, action, v);
        }
        if (!elsewhere.isEmpty()) {
            return Finding.ok("managers." + id, title, comm + " runs only in other namespaces (pid " + join(elsewhere)
                    + "), not here" + conf, v);
        }
        return Finding.ok("managers." + id, title, comm + " is not running" + conf, v);
    }

    /** The processes whose {@code comm} is {@code comm}, read from /proc once per run. */
    private List<Long> pidsNamed(String comm) throws IOException {
        if (comms == null) {
            comms = new java.util.HashMap<>();
            try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
                for (Path p : pids) {
                    String name;
                    try {
                        name = Files.readString(p.resolve("comm")).trim();
                    } catch (IOException e) {
                        continue; // the process ended
                    }
                    comms.computeIfAbsent(name, k -> new ArrayList<>()).add(Long.parseLong(p.getFileName().toString()));
                }
            }
        }
        return comms.getOrDefault(comm, List.of());
    }

    private static String join(List<Long> pids) {
        return String.join(", ", pids.stream().map(String::valueOf).toList());
    }

    /**
     * The lines mentioning mptcp (or mptcpd's flags) in {@code file} and in the {@code *.conf} and
     * {@code *.nmconnection} files of {@code dirs} (NetworkManager's conf.d and its keyfile connections).
     */
    private static List<String> config(Path file, Path... dirs) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            files.add(file);
        }
        for (Path dir : dirs) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.filter(p -> p.toString().endsWith(".conf") || p.toString().endsWith(".nmconnection")).sorted()
                            .forEach(files::add);
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            List<String> lines;
            try {
                lines = Files.readAllLines(f);
            } catch (IOException e) {
                out.add(f + ": not readable (" + e.getMessage() + ")");
                continue;
            }
            for (String line : lines) {
                String l = line.trim().toLowerCase(Locale.ROOT);
                if (!l.startsWith("#") && (l.contains("mptcp") || l.startsWith("addr-flags") || l.startsWith("path-manager")
                        || l.startsWith("notify-flags") || l.startsWith("load-plugins"))) {
                    out.add(f + ": " + line.trim());
                }
            }
        }
        return out;
    }
}
