package io.mpsec.agent.service;

import io.mpsec.testbed.ExecResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throw-away minimal Debian bookworm root ({@code debootstrap --variant=minbase}) to install the
 * package into, with /proc mounted; {@link #close()} unmounts and deletes it.
 *
 * <p>The debootstrapped root is cached outside the repository as a zstd tarball
 * ({@code /var/cache/mpsec/debootstrap/bookworm-minbase.tar.zst}, built when missing, with its apt
 * lists), and so are the .debs apt downloads into it ({@code .../bookworm-archives/}), so a second
 * run needs no network. A cross-process lock guards both, since several builds may share the cache.
 */
final class DebianRoot implements AutoCloseable {
    static final String SUITE = "bookworm";
    static final Path CACHE = Path.of(System.getProperty("mpsec.debootstrap.cache", "/var/cache/mpsec/debootstrap"));
    static final String MIRROR = System.getProperty("mpsec.debian.mirror", "http://deb.debian.org/debian");
    static final Path TARBALL = CACHE.resolve(SUITE + "-minbase.tar.zst");
    static final Path ARCHIVES = CACHE.resolve(SUITE + "-archives");

    private static final String ROOT_PREFIX = "mpsec-debian-root-";
    private static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    final Path dir;
    private boolean procMounted;

    private DebianRoot(Path dir) {
        this.dir = dir;
    }

    /** Builds the cached tarball when missing, then unpacks it into a fresh directory and mounts /proc there. */
    static DebianRoot create() throws IOException {
        Files.createDirectories(ARCHIVES);
        try (FileChannel lockFile = FileChannel.open(CACHE.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockFile.lock()) {
            if (!Files.isRegularFile(TARBALL)) {
                buildTarball();
            }
        }
        removeRootsOfDeadRuns();
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), ROOT_PREFIX + ProcessHandle.current().pid() + "-");
        DebianRoot root = new DebianRoot(dir);
        try {
            Commands.runOk(Duration.ofMinutes(3), List.of("tar", "--zstd", "--numeric-owner", "-xpf", TARBALL.toString(), "-C", dir.toString()));
            Files.copy(Path.of("/etc/resolv.conf"), dir.resolve("etc/resolv.conf"), StandardCopyOption.REPLACE_EXISTING);
            // dpkg without fsync (a throw-away root; as debootstrap and mmdebstrap do): minutes less on a busy disk
            Files.writeString(dir.resolve("etc/dpkg/dpkg.cfg.d/mpsec-test-unsafe-io"), "force-unsafe-io\n");
            Commands.runOk(Duration.ofSeconds(30), List.of("mount", "-t", "proc", "proc", dir.resolve("proc").toString()));
            root.procMounted = true;
            return root;
        } catch (RuntimeException | Error e) {
            root.close();
            throw e;
        }
    }

    /**
     * Roots left by a JVM that was killed (its close() never ran, /proc may still be mounted there):
     * named after their JVM's pid, removed once that process is gone. Other live runs are left alone.
     */
    private static void removeRootsOfDeadRuns() throws IOException {
        try (Stream<Path> dirs = Files.list(Path.of("/var/tmp"))) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String name = d.getFileName().toString();
                if (!name.startsWith(ROOT_PREFIX)) {
                    continue;
                }
                String pid = name.substring(ROOT_PREFIX.length()).split("-")[0];
                if (pid.matches("[0-9]+") && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                    System.out.println("[PackageIT] removing " + d + ", left by a run that was killed");
                    removeTree(d);
                }
            }
        }
    }

    /** debootstrap, apt-get update inside (so the lists are cached too), then the tarball, atomically. */
    private static void buildTarball() throws IOException {
        Path build = CACHE.resolve("build");
        removeTree(build);
        System.out.println("[PackageIT] no cached Debian root: debootstrap --variant=minbase " + SUITE + " (a few minutes, once)");
        try {
            Commands.runOk(Duration.ofMinutes(15), List.of("debootstrap", "--variant=minbase", SUITE, build.toString(), MIRROR));
            Files.copy(Path.of("/etc/resolv.conf"), build.resolve("etc/resolv.conf"), StandardCopyOption.REPLACE_EXISTING);
            Commands.runOk(Duration.ofMinutes(5), chroot(build, "apt-get", "-q", "update"));
            Commands.runOk(Duration.ofMinutes(1), chroot(build, "apt-get", "clean"));
            Path tmp = CACHE.resolve(TARBALL.getFileName() + ".tmp");
            Commands.runOk(Duration.ofMinutes(5), List.of("tar", "--zstd", "--numeric-owner", "-cpf", tmp.toString(), "-C", build.toString(), "."));
            Files.move(tmp, TARBALL, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            removeTree(build);
        }
    }

    /** {@code chroot DIR env -i PATH=... COMMAND}: a clean environment, non-interactive apt. */
    static List<String> chroot(Path dir, String... command) {
        List<String> c = new ArrayList<>(List.of("chroot", dir.toString(), "/usr/bin/env", "-i", PATH,
                "DEBIAN_FRONTEND=noninteractive", "LANG=C.UTF-8", "HOME=/root"));
        c.addAll(List.of(command));
        return c;
    }

    ExecResult exec(Duration timeout, String... command) {
        return Commands.run(timeout, chroot(dir, command));
    }

    ExecResult execOk(Duration timeout, String... command) {
        return Commands.runOk(timeout, chroot(dir, command));
    }

    Path path(String absolute) {
        return dir.resolve(absolute.substring(1));
    }

    /** Copies the cached .debs into the root's apt cache, so apt finds them instead of downloading them. */
    void seedArchives() throws IOException {
        copyDebs(ARCHIVES, path("/var/cache/apt/archives"));
    }

    /** Keeps what apt downloaded for the next run. */
    void saveArchives() throws IOException {
        try (FileChannel lockFile = FileChannel.open(CACHE.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockFile.lock()) {
            copyDebs(path("/var/cache/apt/archives"), ARCHIVES);
        }
    }

    private static void copyDebs(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> debs = Files.list(from)) {
            for (Path deb : (Iterable<Path>) debs::iterator) {
                String name = deb.getFileName().toString();
                if (name.endsWith(".deb") && !name.startsWith("mpsec_") && !Files.exists(to.resolve(name))) {
                    Files.copy(deb, to.resolve(name));
                }
            }
        }
    }

    /** Unmounts /proc (lazily if busy), checks nothing is mounted below, then deletes the root. */
    @Override
    public void close() {
        if (procMounted) {
            ExecResult r = Commands.run(Duration.ofSeconds(30), List.of("umount", path("/proc").toString()));
            if (!r.ok()) {
                Commands.run(Duration.ofSeconds(30), List.of("umount", "-l", path("/proc").toString()));
            }
            procMounted = false;
        }
        try {
            removeTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** rm -rf that refuses to run while anything below {@code dir} is still mounted. */
    static void removeTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        String prefix = dir.toRealPath().toString() + "/";
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String mountPoint = line.split(" ")[1];
            if (mountPoint.startsWith(prefix)) {
                // debootstrap mounts proc and sys inside its target; a failed run may leave them
                Commands.run(Duration.ofSeconds(30), List.of("umount", "-l", mountPoint));
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            if (line.split(" ")[1].startsWith(prefix)) {
                throw new IOException("not deleting " + dir + ": " + line.split(" ")[1] + " is still mounted");
            }
        }
        Commands.runOk(Duration.ofMinutes(2), List.of("rm", "-rf", "--one-file-system", dir.toString()));
    }
}
