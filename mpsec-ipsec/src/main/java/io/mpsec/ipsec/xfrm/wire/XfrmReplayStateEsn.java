package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_replay_state_esn} (24 bytes + bitmap): the replay state of an SA with a window
 * larger than 32 packets or with ESN (XFRMA_REPLAY_ESN_VAL). On NEWSA iproute2 sends the 24-byte
 * header only, with {@code bmp_len = window / 32}; the kernel (xfrm_alloc_replay_state_esn) allocates
 * the bitmap itself. The bitmap of a reported SA is kept as read but not interpreted.
 *
 * <pre>
 * struct xfrm_replay_state_esn {
 *     unsigned int  bmp_len;        //  0  in 32-bit words
 *     __u32         oseq;           //  4
 *     __u32         seq;            //  8
 *     __u32         oseq_hi;        // 12
 *     __u32         seq_hi;         // 16
 *     __u32         replay_window;  // 20  in packets
 *     __u32         bmp[];          // 24
 * };
 * </pre>
 */
public record XfrmReplayStateEsn(long bmpLen, long oseq, long seq, long oseqHi, long seqHi, long replayWindow) {
    public static final int SIZEOF = 24;

    /** The state for a new SA with {@code window} packets (bitmap length rounded up to 32-bit words). */
    public static XfrmReplayStateEsn forWindow(int window) {
        return new XfrmReplayStateEsn((window + 31) / 32, 0, 0, 0, 0, window);
    }

    /** The 64-bit outbound sequence number (ESN high and low halves). */
    public long outboundSequence() {
        return (oseqHi << 32) | oseq;
    }

    /** The 64-bit highest inbound sequence number seen. */
    public long inboundSequence() {
        return (seqHi << 32) | seq;
    }

    public byte[] toBytes() {
        ByteBuffer b = Structs.allocate(SIZEOF);
        Structs.putU32(b, 0, bmpLen);
        Structs.putU32(b, 4, oseq);
        Structs.putU32(b, 8, seq);
        Structs.putU32(b, 12, oseqHi);
        Structs.putU32(b, 16, seqHi);
        Structs.putU32(b, 20, replayWindow);
        return b.array();
    }

    public static XfrmReplayStateEsn decode(byte[] payload) throws NetlinkFormatException {
        ByteBuffer b = Structs.wrap(payload);
        Structs.requireRemaining(b, 0, SIZEOF, "xfrm_replay_state_esn");
        return new XfrmReplayStateEsn(Structs.getU32(b, 0), Structs.getU32(b, 4), Structs.getU32(b, 8),
                Structs.getU32(b, 12), Structs.getU32(b, 16), Structs.getU32(b, 20));
    }
}
