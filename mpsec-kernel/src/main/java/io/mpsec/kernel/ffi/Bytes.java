package io.mpsec.kernel.ffi;

/** Little-endian (host order on x86_64 and aarch64) and big-endian (network order) byte helpers. */
public final class Bytes {
    private Bytes() {
    }

    public static byte[] intLE(int v) {
        byte[] b = new byte[4];
        putIntLE(b, 0, v);
        return b;
    }

    public static void putIntLE(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    public static void putShortLE(byte[] b, int off, short v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    public static void putShortBE(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    public static int intLE(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    public static long uintLE(byte[] b, int off) {
        return intLE(b, off) & 0xffffffffL;
    }

    public static long longLE(byte[] b, int off) {
        return uintLE(b, off) | uintLE(b, off + 4) << 32;
    }

    public static short shortLE(byte[] b, int off) {
        return (short) ((b[off] & 0xff) | (b[off + 1] & 0xff) << 8);
    }

    public static int ushortBE(byte[] b, int off) {
        return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
    }
}
