package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.xfrm.msg.SaId;

/**
 * One SA of a secure path generation, as installed on this host.
 *
 * @param generation key generation
 * @param sa the SA (keys redacted in toString)
 * @param outbound true for local -> remote, false for remote -> local
 */
public record PathSa(long generation, SecurityAssociation sa, boolean outbound) {
    public SaId id() {
        return new SaId(sa.source(), sa.destination(), sa.spi());
    }
}
