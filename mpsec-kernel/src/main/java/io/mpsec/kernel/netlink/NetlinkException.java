package io.mpsec.kernel.netlink;

import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import java.io.IOException;

/**
 * The kernel rejected a netlink request. Carries the operation MPSec attempted, the errno (with its
 * symbolic name), the request's sequence number and, when the kernel gave one, its extended-ack
 * text ({@code NLMSGERR_ATTR_MSG}), which usually says precisely what was wrong.
 *
 * <p>Message format follows {@link Errors#message}: {@code "mptcp_pm ADD_ADDR failed: EEXIST (17,
 * File exists) [seq 7]; kernel: address already in use"}.
 */
public class NetlinkException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String op;
    private final int errno;
    private final int seq;
    private final String extAck;

    public NetlinkException(String op, int errno, int seq, String extAck) {
        super(format(op, errno, seq, extAck));
        this.op = op;
        this.errno = errno;
        this.seq = seq;
        this.extAck = extAck;
    }

    private static String format(String op, int errno, int seq, String extAck) {
        String m = Errors.message(op, errno) + " [seq " + Integer.toUnsignedString(seq) + "]";
        return extAck == null || extAck.isEmpty() ? m : m + "; kernel: " + extAck;
    }

    /** What MPSec asked for, for example {@code "mptcp_pm ADD_ADDR"}. */
    public String op() {
        return op;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }

    /** The symbolic errno name, for example {@code "EEXIST"}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    public int seq() {
        return seq;
    }

    /** The kernel's extended-ack message, or {@code null} when it sent none. */
    public String extAck() {
        return extAck;
    }
}
