package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.Mode;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmAddress;
import io.mpsec.ipsec.xfrm.wire.XfrmId;
import io.mpsec.ipsec.xfrm.wire.XfrmLifetimeCfg;
import io.mpsec.ipsec.xfrm.wire.XfrmLifetimeCur;
import io.mpsec.ipsec.xfrm.wire.XfrmSelector;
import io.mpsec.ipsec.xfrm.wire.XfrmStats;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaInfo;
import io.mpsec.ipsec.xfrm.wire.XfrmUserspiInfo;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.net.InetAddress;

/**
 * XFRM_MSG_ALLOCSPI: asks the kernel for a free SPI in {@code [min, max]} and creates a larval
 * (acquire-state) SA holding it; the reply is a NEWSA-layout message whose {@code id.spi} is the SPI.
 * Layout as {@code ip xfrm state allocspi} sends it (lifetimes zero).
 */
public final class AllocSpi {
    private AllocSpi() {
    }

    public static NetlinkMessage encode(InetAddress src, InetAddress dst, long reqid, Mode mode, long min, long max) {
        if (min < 0x100 || max > 0xffffffffL || min > max) {
            throw new io.mpsec.ipsec.IpsecConfigException("ALLOCSPI range must satisfy 0x100 <= min <= max <= 0xffffffff, got "
                    + min + ".." + max);
        }
        XfrmUsersaInfo info = new XfrmUsersaInfo(XfrmSelector.EMPTY, new XfrmId(XfrmAddress.of(dst), 0, Xfrm.IPPROTO_ESP),
                XfrmAddress.of(src), XfrmLifetimeCfg.ZERO, XfrmLifetimeCur.ZERO, XfrmStats.ZERO, 0, reqid,
                WireModel.family(dst), mode.kernelValue(), 0, 0);
        return NetlinkMessage.request(Xfrm.XFRM_MSG_ALLOCSPI, 0, new XfrmUserspiInfo(info, min, max).toBytes());
    }
}
