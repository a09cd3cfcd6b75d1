package io.mpsec.kernel.netlink;

import io.mpsec.kernel.ffi.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One netlink message: a {@code struct nlmsghdr} and its payload.
 *
 * <pre>
 * struct nlmsghdr {
 *     __u32 nlmsg_len;    // length including this header
 *     __u16 nlmsg_type;
 *     __u16 nlmsg_flags;
 *     __u32 nlmsg_seq;
 *     __u32 nlmsg_pid;    // sending port id
 * };                      // 16 bytes, host byte order
 * </pre>
 *
 * <p>Immutable except for {@link #wipe()}; {@link #payload()} returns a copy. The length field is
 * derived on {@link #encode()}.
 */
public final class NetlinkMessage {
    private final int type;
    private final int flags;
    private final int seq;
    private final int pid;
    private final byte[] payload;

    public NetlinkMessage(int type, int flags, int seq, int pid, byte[] payload) {
        if (type < 0 || type > 0xffff) {
            throw new IllegalArgumentException("nlmsg_type out of range: " + type);
        }
        if (flags < 0 || flags > 0xffff) {
            throw new IllegalArgumentException("nlmsg_flags out of range: " + flags);
        }
        this.type = type;
        this.flags = flags;
        this.seq = seq;
        this.pid = pid;
        this.payload = payload.clone();
    }

    /** A request (NLM_F_REQUEST set) with seq and pid 0; the connection assigns the sequence number. */
    public static NetlinkMessage request(int type, int flags, byte[] payload) {
        return new NetlinkMessage(type, flags | Netlink.NLM_F_REQUEST, 0, 0, payload);
    }

    public int type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) == flag;
    }

    public int seq() {
        return seq;
    }

    /** The sender's port id; 0 when the kernel sent the message. */
    public int pid() {
        return pid;
    }

    public byte[] payload() {
        return payload.clone();
    }

    public int payloadLength() {
        return payload.length;
    }

    /**
     * Overwrites the payload with zeros: for messages that carried key material (xfrm SAs), once they
     * were sent or decoded. The header stays; the payload reads as zeros afterwards.
     */
    public void wipe() {
        Arrays.fill(payload, (byte) 0);
    }

    /** A copy with another sequence number and port id. */
    public NetlinkMessage withSeqAndPid(int newSeq, int newPid) {
        return new NetlinkMessage(type, flags, newSeq, newPid, payload);
    }

    public NetlinkMessage withFlags(int newFlags) {
        return new NetlinkMessage(type, newFlags, seq, pid, payload);
    }

    /**
     * The message on the wire. {@code nlmsg_len} is the exact length; the buffer is padded to 4 bytes
     * so that messages can be concatenated (attribute payloads are already padded by
     * {@link AttributeWriter}, so for them both are equal, as with iproute2).
     */
    public byte[] encode() {
        int len = Netlink.NLMSG_HDRLEN + payload.length;
        byte[] out = new byte[Netlink.align(len)];
        writeHeader(out, 0, len);
        System.arraycopy(payload, 0, out, Netlink.NLMSG_HDRLEN, payload.length);
        return out;
    }

    private void writeHeader(byte[] out, int off, int len) {
        Bytes.putIntLE(out, off, len);
        Bytes.putShortLE(out, off + 4, (short) type);
        Bytes.putShortLE(out, off + 6, (short) flags);
        Bytes.putIntLE(out, off + 8, seq);
        Bytes.putIntLE(out, off + 12, pid);
    }

    /** Concatenates messages into one datagram. */
    public static byte[] encodeAll(List<NetlinkMessage> messages) {
        int total = 0;
        List<byte[]> parts = new ArrayList<>();
        for (NetlinkMessage m : messages) {
            byte[] b = m.encode();
            parts.add(b);
            total += b.length;
        }
        byte[] out = new byte[total];
        int off = 0;
        for (byte[] b : parts) {
            System.arraycopy(b, 0, out, off, b.length);
            off += b.length;
        }
        return out;
    }

    /** Splits a datagram into messages, checking every length field. */
    public static List<NetlinkMessage> decodeAll(byte[] buf, int length) throws NetlinkFormatException {
        if (length > buf.length) {
            throw new NetlinkFormatException("datagram length " + length + " exceeds buffer " + buf.length);
        }
        List<NetlinkMessage> out = new ArrayList<>();
        int off = 0;
        while (length - off >= Netlink.NLMSG_HDRLEN) {
            int len = Bytes.intLE(buf, off);
            if (len < Netlink.NLMSG_HDRLEN || len > length - off) {
                throw new NetlinkFormatException("nlmsg_len " + Integer.toUnsignedString(len) + " at offset " + off
                        + " is invalid for a datagram of " + length + " bytes");
            }
            int type = Bytes.shortLE(buf, off + 4) & 0xffff;
            int flags = Bytes.shortLE(buf, off + 6) & 0xffff;
            int seq = Bytes.intLE(buf, off + 8);
            int pid = Bytes.intLE(buf, off + 12);
            byte[] payload = Arrays.copyOfRange(buf, off + Netlink.NLMSG_HDRLEN, off + len);
            out.add(new NetlinkMessage(type, flags, seq, pid, payload));
            off += Math.min(Netlink.align(len), length - off);
        }
        if (off != length) {
            throw new NetlinkFormatException((length - off) + " trailing bytes after the last netlink message");
        }
        return out;
    }

    public static List<NetlinkMessage> decodeAll(byte[] buf) throws NetlinkFormatException {
        return decodeAll(buf, buf.length);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NetlinkMessage)) {
            return false;
        }
        NetlinkMessage m = (NetlinkMessage) o;
        return type == m.type && flags == m.flags && seq == m.seq && pid == m.pid && Arrays.equals(payload, m.payload);
    }

    @Override
    public int hashCode() {
        return ((type * 31 + flags) * 31 + seq) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "NetlinkMessage[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", seq="
                + Integer.toUnsignedString(seq) + ", pid=" + Integer.toUnsignedString(pid) + ", payload="
                + payload.length + " bytes]";
    }
}
