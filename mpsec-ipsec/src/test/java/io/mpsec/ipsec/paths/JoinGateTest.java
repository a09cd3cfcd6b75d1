package io.mpsec.ipsec.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.pm.MissingKernelFeatureException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The join gate's text and its handling of nft's answers, against a fake nft (stderr captured from nft 1.0.6). */
class JoinGateTest {
    /** {@code nft list table inet mpsec_gate} after install, nft 1.0.6 on Linux 6.18. */
    static final String LISTING = """
            table inet mpsec_gate {
            	counter joins_refused_out {
            		packets 3 bytes 216
            	}

            	counter joins_dropped_in {
            		packets 2 bytes 120
            	}

            	chain output {
            		type filter hook output priority filter; policy accept;
            		oifname != "lo" tcp flags syn tcp option mptcp subtype 1 rt ipsec missing counter name "joins_refused_out" reject with tcp reset comment "mpsec: MPTCP join without IPsec"
            	}

            	chain input {
            		type filter hook input priority filter; policy accept;
            		iifname != "lo" tcp flags syn tcp option mptcp subtype 1 meta ipsec missing counter name "joins_dropped_in" drop comment "mpsec: MPTCP join without IPsec"
            	}
            }
            """;
    /** {@code nft list counters table inet mpsec_gate}. */
    static final String COUNTERS = "table inet mpsec_gate {\n\tcounter joins_refused_out {\n\t\tpackets 3 bytes 216\n\t}\n"
            + "\tcounter joins_dropped_in {\n\t\tpackets 2 bytes 120\n\t}\n}\n";
    /** A rule the kernel cannot build (here: 'queue' on a kernel without CONFIG_NFT_QUEUE). */
    static final String KERNEL_LACKS = "/dev/stdin:3:19-23: Error: Could not process rule: No such file or directory\n"
            + "add rule inet t c queue num 1\n                  ^^^^^\n";
    static final String SYNTAX = "/dev/stdin:3:30-35: Error: syntax error, unexpected string\n"
            + "add rule inet t c tcp option mptcpx subtype 1 drop\n                             ^^^^^^\n";
    static final String NOT_ROOT = "Operation not permitted (you must be root)\n"
            + "netlink: Error: cache initialization failed: Operation not permitted\n";
    static final String NO_TABLE = "Error: No such file or directory\nlist table inet mpsec_gate\n                ^^^^\n";

    /** A fake nft: records each run, answers with {@code answer}. */
    static final class FakeNft implements Nft {
        final List<String> runs = new ArrayList<>();
        final Function<String, Result> answer;

        FakeNft(Function<String, Result> answer) {
            this.answer = answer;
        }

        @Override
        public Result run(String stdin, String... args) {
            String call = String.join(" ", args) + (stdin == null ? "" : "\n" + stdin);
            runs.add(call);
            return answer.apply(call);
        }

        @Override
        public String where() {
            return "namespace test";
        }
    }

    static Nft.Result ok(String out) {
        return new Nft.Result(0, out, "");
    }

    static Nft.Result fail(String err) {
        return new Nft.Result(1, "", err);
    }

    @Test
    void theInstallTransactionIsOneAtomicFileThatKeepsCountersAndReplacesTheRules() {
        assertThat(JoinGate.ruleset()).isEqualTo("""
                add table inet mpsec_gate
                add counter inet mpsec_gate joins_refused_out
                add counter inet mpsec_gate joins_dropped_in
                add chain inet mpsec_gate output { type filter hook output priority 0; policy accept; }
                add chain inet mpsec_gate input { type filter hook input priority 0; policy accept; }
                flush chain inet mpsec_gate output
                flush chain inet mpsec_gate input
                add rule inet mpsec_gate output oifname != "lo" tcp flags syn tcp option mptcp subtype 1 rt ipsec missing \
                counter name "joins_refused_out" reject with tcp reset comment "mpsec: MPTCP join without IPsec"
                add rule inet mpsec_gate input iifname != "lo" tcp flags syn tcp option mptcp subtype 1 meta secpath missing \
                counter name "joins_dropped_in" drop comment "mpsec: MPTCP join without IPsec"
                """);
        assertThat(GateRuleset.remove()).isEqualTo("add table inet mpsec_gate\ndelete table inet mpsec_gate\n");
    }

    @Test
    void installRunsOneTransactionAndChecksTheResult() throws Exception {
        FakeNft nft = new FakeNft(c -> c.startsWith("list table") ? ok(LISTING) : ok(""));
        new JoinGate(nft).installNow();
        assertThat(nft.runs).hasSize(2);
        assertThat(nft.runs.get(0)).isEqualTo("-f -\n" + GateRuleset.install());
        assertThat(nft.runs.get(1)).isEqualTo("list table inet mpsec_gate");
    }

    @Test
    void installThatDoesNotShowUpIsAnError() {
        FakeNft nft = new FakeNft(c -> c.startsWith("list table") ? ok("table inet mpsec_gate {\n}\n") : ok(""));
        assertThatThrownBy(() -> new JoinGate(nft).installNow()).isInstanceOf(JoinGateException.class)
                .hasMessageContaining("does not list both rules");
    }

    @Test
    void aKernelWithoutRtIpsecIsNamedWithItsRequirement() {
        FakeNft nft = new FakeNft(c -> c.contains("rt ipsec") ? fail(KERNEL_LACKS) : ok(""));
        assertThatThrownBy(() -> new JoinGate(nft).installNow()).isInstanceOf(MissingKernelFeatureException.class)
                .hasMessageContaining("'rt ipsec'").hasMessageContaining("Linux 4.20+ with CONFIG_XFRM")
                .hasMessageContaining("Could not process rule").hasMessageContaining("namespace test");
        // the install failed, then the probes ran in check mode until the failing one
        assertThat(nft.runs.get(0)).startsWith("-f -\n");
        assertThat(nft.runs.subList(1, nft.runs.size())).allSatisfy(r -> assertThat(r).startsWith("--check -f -\n"));
        assertThat(nft.runs.get(nft.runs.size() - 1)).contains("rt ipsec missing");
    }

    @Test
    void aKernelWithoutNfTablesIsNamed() {
        FakeNft nft = new FakeNft(c -> fail("Error: Could not process rule: Protocol not supported\n"));
        assertThatThrownBy(() -> new JoinGate(nft).installNow()).isInstanceOf(MissingKernelFeatureException.class)
                .hasMessageContaining("CONFIG_NF_TABLES and CONFIG_NF_TABLES_INET");
    }

    @Test
    void aKernelWithoutRejectIsNamed() {
        FakeNft nft = new FakeNft(c -> c.contains("reject") ? fail(KERNEL_LACKS) : ok(""));
        assertThatThrownBy(() -> new JoinGate(nft).installNow()).isInstanceOf(MissingKernelFeatureException.class)
                .hasMessageContaining("CONFIG_NFT_REJECT_INET");
    }

    @Test
    void anNftTooOldForTheMptcpOptionSaysWhichVersionAndWhatToInstall() {
        FakeNft nft = new FakeNft(c -> c.startsWith("--version") ? ok("nftables v0.9.8 (E.D.S.)\n")
                : c.contains("mptcp") ? fail(SYNTAX) : ok(""));
        assertThatThrownBy(() -> new JoinGate(nft).installNow()).isInstanceOf(JoinGateException.class)
                .hasMessageContaining("nftables v0.9.8").hasMessageContaining("'tcp option mptcp'")
                .hasMessageContaining("nftables (1.0.6) or newer");
    }

    @Test
    void withoutCapNetAdminItSaysRunAsRoot() {
        FakeNft nft = new FakeNft(c -> fail(NOT_ROOT));
        assertThatThrownBy(() -> new JoinGate(nft).installNow()).isInstanceOf(JoinGateException.class)
                .hasMessageContaining("CAP_NET_ADMIN").hasMessageContaining("run as root");
    }

    @Test
    void aMissingNftToolSaysWhichPackageToInstall() {
        assertThatThrownBy(() -> NftProcess.in(null, Optional.empty())).isInstanceOf(JoinGateException.class)
                .hasMessageContaining("install the Debian package nftables");
    }

    @Test
    void installedCountersAndRemove() throws Exception {
        FakeNft present = new FakeNft(c -> c.startsWith("list table") ? ok(LISTING) : c.startsWith("list counters") ? ok(COUNTERS) : ok(""));
        JoinGate g = new JoinGate(present);
        assertThat(g.installed()).isTrue();
        assertThat(g.drops()).isEqualTo(new JoinGate.Drops(3, 2));
        assertThat(g.droppedJoins()).isEqualTo(5);
        g.remove();
        assertThat(present.runs.get(present.runs.size() - 1)).isEqualTo("-f -\n" + GateRuleset.remove());

        FakeNft absent = new FakeNft(c -> fail(NO_TABLE));
        JoinGate none = new JoinGate(absent);
        assertThat(none.installed()).isFalse();
        assertThatThrownBy(none::drops).isInstanceOf(JoinGateException.class).hasMessageContaining("not installed");

        FakeNft broken = new FakeNft(c -> fail(NOT_ROOT));
        assertThatThrownBy(() -> new JoinGate(broken).installed()).isInstanceOf(JoinGateException.class)
                .hasMessageContaining("Operation not permitted");
    }

    @Test
    void aTableWithOnlyOneRuleIsNotInstalled() throws Exception {
        String outputOnly = LISTING.substring(0, LISTING.indexOf("\tchain input")) + "}\n";
        JoinGate g = new JoinGate(new FakeNft(c -> ok(outputOnly)));
        assertThat(g.installed()).isFalse();
        String oldNames = LISTING.replace("meta ipsec missing", "meta secpath missing");
        assertThat(GateRuleset.hasBothRules(oldNames)).isTrue();
    }

    @Test
    void counterParsingFindsEveryNamedCounter() {
        assertThat(GateRuleset.counters(LISTING)).containsEntry("joins_refused_out", 3L).containsEntry("joins_dropped_in", 2L);
        assertThat(GateRuleset.counters("table inet mpsec_gate {\n}\n")).isEmpty();
        assertThat(GateRuleset.firstError(KERNEL_LACKS)).isEqualTo("/dev/stdin:3:19-23: Error: Could not process rule: No such file or directory");
        assertThat(GateRuleset.firstError("")).isEqualTo("(no message)");
    }

    @Test
    void unavailabilityCauseIsEmptyOnlyWhenEveryProbePasses() throws Exception {
        FakeNft good = new FakeNft(c -> ok(""));
        new JoinGate(good).diagnose();
        assertThat(good.runs).hasSize(GateRuleset.probes().size());
        assertThat(good.runs).allSatisfy(r -> assertThat(r).startsWith("--check -f -\n").contains("mpsec_gate_probe")
                .doesNotContain("table inet mpsec_gate\n"));
    }
}
