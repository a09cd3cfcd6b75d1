package io.mpsec.kernel.diag;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.fuzz.FuzzTarget;
import io.mpsec.kernel.fuzz.Fuzzer;
import io.mpsec.kernel.fuzz.Seeds;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link InetDiagMsg} (inet_diag_msg, INET_DIAG_INFO, INET_DIAG_CONG, the MPTCP ULP info) and
 * {@link ConnectionGrouping} (struct mptcp_info by length, tcp_info fields) with mutations of what
 * {@code ss -Mni} and {@code ss -tni} received (golden/replies/capture-diag.sh).
 */
class ConnectionDiagFuzzTest {
    @Test
    void connectionDecodingSurvivesMutatedDumps() {
        List<byte[]> seeds = Seeds.messages(t -> t == InetDiag.SOCK_DIAG_BY_FAMILY, "diag-conns-mptcp", "diag-conns-tcp");
        assertThat(seeds).hasSizeGreaterThanOrEqualTo(5);
        FuzzTarget t = FuzzTarget.of("ConnectionDiag.decode+group", seeds, in -> {
            List<InetDiagMsg> msgs = new ArrayList<>();
            for (NetlinkMessage m : NetlinkMessage.decodeAll(in)) {
                msgs.add(InetDiagMsg.decode(m));
            }
            // every message both as an MPTCP socket and as a TCP socket: mptcp_info read from any bytes
            return ConnectionGrouping.group(msgs, msgs).size();
        }).netlink(type -> InetDiag.SIZEOF_MSG)
                .covers(InetDiagMsg.class, MptcpSubflowAttrs.class, ConnectionGrouping.class, TcpInfoFields.class).build();
        Fuzzer.Report r = Fuzzer.run(t);
        assertThat(r.unexpected()).as("unexpected exceptions:%n%s", String.join("\n", r.failures())).isZero();
        assertThat(r.ok()).isPositive();
    }
}
