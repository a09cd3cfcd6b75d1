package io.mpsec.kernel.netlink;

import java.util.List;

/**
 * The messages of a multipart dump, without the final {@code NLMSG_DONE}.
 *
 * @param messages the data messages in order
 * @param interrupted {@code true} when any part carried {@code NLM_F_DUMP_INTR}: the object set
 *     changed while the kernel was dumping it, so the list may miss or repeat entries. Callers that
 *     need a consistent view retry ({@link NetlinkConnection#dumpConsistent}).
 */
public record Dump(List<NetlinkMessage> messages, boolean interrupted) {
    public Dump {
        messages = List.copyOf(messages);
    }
}
