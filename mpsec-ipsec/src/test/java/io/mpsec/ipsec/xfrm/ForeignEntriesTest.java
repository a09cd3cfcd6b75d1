package io.mpsec.ipsec.xfrm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.xfrm.msg.NewPolicy;
import io.mpsec.ipsec.xfrm.msg.NewSa;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.kernel.fuzz.KernelCapture;
import io.mpsec.kernel.netlink.Attribute;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Dumps the kernel really sent with SAs and policies MPSec did not install (golden/xfrm-kernel, made
 * by capture.sh there with iproute2 and python3): the decoders keep foreign entries raw with the
 * reason, and XfrmClient's dumps, replayed through the fake kernel, never fail because of them.
 * {@link ForeignEntriesIT} does the same against the running kernel.
 */
class ForeignEntriesTest {
    static List<byte[]> payloads(String capture, int type) throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (byte[] m : KernelCapture.primaryMessages("/golden/xfrm-kernel/" + capture + ".txt", t -> t == type)) {
            out.add(NetlinkMessage.decodeAll(m).get(0).payload());
        }
        return out;
    }

    static List<NewSa.Decoded> sas() throws Exception {
        List<NewSa.Decoded> out = new ArrayList<>();
        for (byte[] p : payloads("xfrm-state-dump", Xfrm.XFRM_MSG_NEWSA)) {
            out.add(NewSa.decode(new NetlinkMessage(Xfrm.XFRM_MSG_NEWSA, 0, 0, 0, p)));
        }
        return out;
    }

    static List<NewPolicy.Decoded> policies() throws Exception {
        List<NewPolicy.Decoded> out = new ArrayList<>();
        for (byte[] p : payloads("xfrm-policy-dump", Xfrm.XFRM_MSG_NEWPOLICY)) {
            out.add(NewPolicy.decode(new NetlinkMessage(Xfrm.XFRM_MSG_NEWPOLICY, 0, 0, 0, p)));
        }
        return out;
    }

    @Test
    void foreignSasDecodeRawWithTheReason() throws Exception {
        List<NewSa.Decoded> sas = sas();
        // capture.sh: AH BEET, IPCOMP, ESP BEET (IPv6), ESP with an SPI below 256, a larval ESP state,
        // and the larval state the kernel made itself for an ACQUIRE
        assertThat(sas).hasSize(6).allSatisfy(d -> assertThat(d.sa()).isNull());
        assertThat(sas).extracting(NewSa.Decoded::unsupported).anySatisfy(r -> assertThat(r).contains("protocol 51 (AH)"))
                .anySatisfy(r -> assertThat(r).contains("protocol 108 (IPCOMP)"))
                .anySatisfy(r -> assertThat(r).contains("mode BEET (4)"))
                .anySatisfy(r -> assertThat(r).contains("no ESP algorithm"));
        NewSa.Decoded ah = sas.stream().filter(d -> d.info().id().proto() == Xfrm.IPPROTO_AH).findFirst().orElseThrow();
        assertThat(ah.info().mode()).isEqualTo(4);
        assertThat(ah.info().reqid()).isEqualTo(5);
        // attributes MPSec does not interpret are kept (the kernel's XFRMA_REPLAY_VAL on every state)
        assertThat(sas).allSatisfy(d -> assertThat(d.unknown()).extracting(Attribute::kind).contains(Xfrm.XFRMA_REPLAY_VAL));
    }

    @Test
    void foreignPoliciesDecodeRawAndModelledOnesKeepUnknownAttributes() throws Exception {
        List<NewPolicy.Decoded> ps = policies();
        assertThat(ps).hasSize(10);
        assertThat(ps).filteredOn(d -> !d.modelled()).extracting(NewPolicy.Decoded::unsupported).containsExactlyInAnyOrder(
                "template protocol 51 (AH), MPSec models ESP (50) only",
                "template protocol 108 (IPCOMP), MPSec models ESP (50) only",
                "template mode BEET (4), MPSec models transport and tunnel",
                "a sub policy (ptype sub)",
                "a per-socket policy (direction 4)");
        NewPolicy.Decoded marked = ps.stream().filter(d -> d.modelled() && !d.unknown().isEmpty()).findFirst().orElseThrow();
        assertThat(marked.unknown()).extracting(Attribute::kind).containsExactly(Xfrm.XFRMA_MARK, Xfrm.XFRMA_IF_ID);
        assertThat(marked.policy().templates()).singleElement().satisfies(t -> assertThat(t.reqid()).isEqualTo(7));
    }

    @Test
    void xfrmClientDumpsNeverFailOnForeignEntries() throws Exception {
        List<byte[]> sa = payloads("xfrm-state-dump", Xfrm.XFRM_MSG_NEWSA);
        List<byte[]> pol = payloads("xfrm-policy-dump", Xfrm.XFRM_MSG_NEWPOLICY);
        FakeKernel k = new FakeKernel(req -> req.type() == Xfrm.XFRM_MSG_GETSA
                ? FakeKernel.dump(req, Xfrm.XFRM_MSG_NEWSA, sa) : FakeKernel.dump(req, Xfrm.XFRM_MSG_NEWPOLICY, pol));
        try (XfrmClient c = new XfrmClient(new NetlinkConnection(k))) {
            List<InstalledSa> sas = c.dumpSas();
            assertThat(sas).hasSize(6).allSatisfy(s -> assertThat(s.sa()).isNull());
            assertThat(sas).extracting(InstalledSa::spi).doesNotHaveDuplicates();
            List<SecurityPolicy> policies = c.dumpPolicies();
            assertThat(policies).hasSize(5);
            assertThat(policies).extracting(SecurityPolicy::direction).containsOnly(Direction.OUT, Direction.FWD);
        }
    }
}
