package io.mpsec.kernel.netlink;

import java.io.IOException;

/** Every attempt of a dump was interrupted (NLM_F_DUMP_INTR): the set changed too often to read it consistently. */
public class NetlinkDumpInterruptedException extends IOException {
    private static final long serialVersionUID = 1L;

    public NetlinkDumpInterruptedException(String op, int attempts) {
        super(op + ": dump interrupted (NLM_F_DUMP_INTR) in all " + attempts
                + " attempts; the kernel objects changed while being listed, retry later");
    }
}
