package io.mpsec.ipsec.xfrm;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.Selector;
import io.mpsec.ipsec.xfrm.msg.SaId;
import java.net.InetAddress;

/** A notification from the kernel's xfrm multicast groups, as a typed event. */
public sealed interface XfrmEvent permits XfrmEvent.SaExpired, XfrmEvent.Acquire {

    /**
     * XFRM_MSG_EXPIRE: an SA reached a soft limit (time to rekey) or a hard limit (the kernel deleted it).
     *
     * @param sa the SA
     * @param reqid its reqid
     * @param hard true for a hard expire (the SA is gone), false for soft
     * @param bytes bytes the SA processed
     * @param packets packets the SA processed
     */
    record SaExpired(SaId sa, long reqid, boolean hard, long bytes, long packets) implements XfrmEvent {
    }

    /**
     * XFRM_MSG_ACQUIRE: traffic matched a policy whose template has no SA; a key manager should
     * install one (while the policy is {@code level required}, that traffic is dropped meanwhile).
     *
     * @param source SA source the kernel needs
     * @param destination SA destination the kernel needs
     * @param selector the traffic that triggered it, or {@code null}
     * @param direction policy direction
     * @param seq the acquire sequence number (to answer with an SA of the same seq)
     */
    record Acquire(InetAddress source, InetAddress destination, Selector selector, Direction direction, long seq)
            implements XfrmEvent {
    }
}
