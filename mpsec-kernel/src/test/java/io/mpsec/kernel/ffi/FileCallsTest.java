package io.mpsec.kernel.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file calls against the real kernel, cross-checked with the JDK's own view of the same files. */
class FileCallsTest {
    @TempDir
    Path dir;

    @Test
    void fstatOfAnOpenDescriptorMatchesTheJdk() throws Exception {
        Path f = dir.resolve("f");
        Files.write(f, new byte[] {1, 2, 3, 4, 5});
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        int fd = FileCalls.openatOrErrno(FileCalls.AT_FDCWD, f.toString(), FileCalls.O_RDONLY | FileCalls.O_NOFOLLOW, 0);
        assertThat(fd).isGreaterThanOrEqualTo(0);
        try {
            FileStat st = FileCalls.fstat(fd, f.toString());
            assertThat(st.isRegularFile()).isTrue();
            assertThat(st.permissions()).isEqualTo(0640);
            assertThat(st.permissionString()).isEqualTo("rw-r-----");
            assertThat(st.mode()).isEqualTo((int) Files.getAttribute(f, "unix:mode"));
            assertThat(st.uid()).isEqualTo(((Number) Files.getAttribute(f, "unix:uid")).longValue());
            assertThat(st.gid()).isEqualTo(((Number) Files.getAttribute(f, "unix:gid")).longValue());
            assertThat(st.size()).isEqualTo(5);
            assertThat(st.links()).isEqualTo(1);
            byte[] b = new byte[16];
            assertThat(FileCalls.read(fd, b, 2, 14, f.toString())).isEqualTo(5);
            assertThat(b).startsWith(0, 0, 1, 2, 3, 4, 5, 0);
        } finally {
            Syscalls.close(fd);
        }
        int d = FileCalls.openDirectory(dir.toString());
        try {
            assertThat(FileCalls.fstat(d, dir.toString()).isDirectory()).isTrue();
            assertThat(FileCalls.fstat(d, dir.toString()).typeName()).isEqualTo("directory");
        } finally {
            Syscalls.close(d);
        }
        assertThat(FileCalls.geteuid()).isEqualTo(((Number) Files.getAttribute(f, "unix:uid")).longValue());
    }

    @Test
    void noFollowRefusesASymbolicLinkWithEloop() throws Exception {
        Path target = dir.resolve("target");
        Files.write(target, new byte[1]);
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        int r = FileCalls.openatOrErrno(FileCalls.AT_FDCWD, link.toString(), FileCalls.O_RDONLY | FileCalls.O_NOFOLLOW, 0);
        assertThat(r).isEqualTo(-Errno.ELOOP);
        // and O_CREAT|O_EXCL never creates through a link, even a dangling one
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        int c = FileCalls.openatOrErrno(FileCalls.AT_FDCWD, dangling.toString(),
                FileCalls.O_WRONLY | FileCalls.O_CREAT | FileCalls.O_EXCL | FileCalls.O_NOFOLLOW, 0600);
        assertThat(c).isEqualTo(-Errno.EEXIST);
        assertThat(Files.exists(dir.resolve("nowhere"))).isFalse();
    }

    @Test
    void createWriteFsyncFchmodAndUnlinkRelativeToADirectory() throws Exception {
        int d = FileCalls.openDirectory(dir.toString());
        try {
            int fd = FileCalls.openatOrErrno(d, "new", FileCalls.O_WRONLY | FileCalls.O_CREAT | FileCalls.O_EXCL, 0600);
            assertThat(fd).isGreaterThanOrEqualTo(0);
            try {
                byte[] data = new byte[10_000];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) i;
                }
                FileCalls.writeFully(fd, data, 0, data.length, "new");
                FileCalls.fchmod(fd, 0400, "new");
                FileCalls.fsync(fd, "new");
                FileCalls.fsync(d, dir.toString());
                assertThat(Files.readAllBytes(dir.resolve("new"))).isEqualTo(data);
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new")))).isEqualTo("r--------");
            } finally {
                Syscalls.close(fd);
            }
            assertThat(FileCalls.openatOrErrno(d, "new", FileCalls.O_WRONLY | FileCalls.O_CREAT | FileCalls.O_EXCL, 0600))
                    .isEqualTo(-Errno.EEXIST);
            assertThat(FileCalls.unlinkatOrErrno(d, "new")).isZero();
            assertThat(FileCalls.unlinkatOrErrno(d, "new")).isEqualTo(-Errno.ENOENT);
        } finally {
            Syscalls.close(d);
        }
        assertThatThrownBy(() -> FileCalls.openDirectory(dir.resolve("none").toString())).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("ENOENT");
        assertThat(Errors.newFileException("open", "/x", Errno.EEXIST)).isInstanceOf(FileAlreadyExistsException.class);
    }

    @Test
    void aWipedNativeBufferHoldsOnlyZeros() {
        try (NativeBuffer b = NativeBuffer.allocate(64)) {
            byte[] secret = new byte[64];
            java.util.Arrays.fill(secret, (byte) 0x5a);
            b.put(secret, 0, 64);
            assertThat(b.snapshot()).containsOnly((byte) 0x5a);
            b.wipe(32);
            byte[] s = b.snapshot();
            assertThat(java.util.Arrays.copyOfRange(s, 0, 32)).containsOnly((byte) 0);
            assertThat(java.util.Arrays.copyOfRange(s, 32, 64)).containsOnly((byte) 0x5a);
            b.close();
            assertThat(b.snapshot()).containsOnly((byte) 0);
        }
    }
}
