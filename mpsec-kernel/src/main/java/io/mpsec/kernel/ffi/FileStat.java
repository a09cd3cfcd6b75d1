package io.mpsec.kernel.ffi;

/**
 * What {@code statx(2)} reports about an open descriptor: file type, permission bits, owner and size.
 *
 * @param mode {@code st_mode}: file type ({@code S_IFMT} bits) and permission bits
 * @param uid owner user id
 * @param gid owner group id
 * @param size size in bytes
 * @param links number of hard links
 * @param inode inode number
 * @param devMajor major number of the device holding the file
 * @param devMinor minor number of the device holding the file
 */
public record FileStat(int mode, long uid, long gid, long size, long links, long inode, long devMajor, long devMinor) {
    /** {@code S_IFMT}, the file type bits of {@code st_mode} (include/uapi/linux/stat.h). */
    public static final int S_IFMT = 0170000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFLNK = 0120000;
    /** The sticky bit: in a directory, only a file's owner (or the directory's) may rename or delete it. */
    public static final int S_ISVTX = 01000;

    /** Whether this is a regular file. */
    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    /** Whether this is a directory. */
    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    /** The permission bits including setuid, setgid and sticky ({@code mode & 07777}). */
    public int permissions() {
        return mode & 07777;
    }

    /** The permission bits as {@code ls -l} prints them, for example {@code rw-------}. */
    public String permissionString() {
        String chars = "rwxrwxrwx";
        StringBuilder sb = new StringBuilder(9);
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (0400 >> i)) != 0 ? chars.charAt(i) : '-');
        }
        return sb.toString();
    }

    /** A short name of the file type for messages ("regular file", "directory", "FIFO", ...). */
    public String typeName() {
        switch (mode & S_IFMT) {
            case S_IFREG:
                return "regular file";
            case S_IFDIR:
                return "directory";
            case S_IFLNK:
                return "symbolic link";
            case 0010000:
                return "FIFO";
            case 0020000:
                return "character device";
            case 0060000:
                return "block device";
            case 0140000:
                return "socket";
            default:
                return "file of type 0" + Integer.toOctalString(mode & S_IFMT);
        }
    }
}
