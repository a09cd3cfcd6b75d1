package io.mpsec.ipsec.paths;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.pm.MissingKernelFeatureException;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The MPTCP join gate: an nftables table, {@code table inet mpsec_gate}, that refuses every MPTCP
 * subflow IPsec does not protect, inside the kernel, before its first packet leaves.
 *
 * <h2>Why</h2>
 * {@link SecurePaths} installs xfrm policies and SAs for the configured address pairs (every local x
 * every remote address). MPTCP opens subflows at run time over other pairs too: an address the peer
 * announces (ADD_ADDR, a {@code signal} endpoint), a new local address (DHCP, SLAAC, a new interface),
 * in-kernel endpoints, userspace strategies. No policy covers such a pair, so its traffic would leave
 * in clear (measured: about 250 TCP packets with payload when the peer announced an uncovered
 * address). The in-kernel path manager sends the MP_JOIN SYN before userspace reads the ANNOUNCED
 * event, so the refusal has to be in the kernel already.
 *
 * <h2>What is refused</h2>
 * Every additional subflow starts with a SYN carrying the MPTCP MP_JOIN option (RFC 8684 section 3.2;
 * option kind 30, subtype 1), answered by a SYN/ACK carrying MP_JOIN. The gate has two rules:
 * <ul>
 *   <li>output: an MP_JOIN SYN or SYN/ACK whose route has no IPsec transform ({@code rt ipsec missing})
 *       is rejected with a TCP reset that is delivered locally. The subflow fails at once
 *       ({@code ECONNREFUSED}: a SUB_CLOSED event with error 111) and nothing reaches the wire;</li>
 *   <li>input: an MP_JOIN SYN or SYN/ACK that did not arrive through IPsec ({@code meta secpath
 *       missing}) is dropped, so a peer without the gate cannot open an unprotected subflow either.</li>
 * </ul>
 * The connection keeps running on its protected subflows. A join over a protected pair passes (its
 * route is an xfrm bundle, its inbound packets carry a secpath). Only the handshake is matched
 * ({@code tcp flags syn}): joins can only be made with a SYN. The initial subflow (MP_CAPABLE) is left
 * to the xfrm policies, and loopback is exempt: it never leaves the namespace. Refused and dropped
 * joins are counted ({@link #drops()}).
 *
 * <p>A pair that has a {@code level required} policy but no SA yet (during {@code apply()}, or after a
 * crash before the SAs are back) is not refused: xfrm holds its SYN back ({@code XfrmOutNoStates}),
 * TCP retransmits it, and the join completes once the SA exists. Only pairs that no policy covers
 * are refused.
 *
 * <h2>What users do to protect an extra address</h2>
 * Configure it in the secure paths on both hosts (the local list of one is the remote list of the
 * other). Its pairs then get policies and SAs, their joins go through IPsec, and the gate lets them
 * pass. Strategies are bound the same way: start the strategy runner with the same pairs
 * ({@code SubflowPolicy.pairs(local, remote)}).
 *
 * <h2>Lifetime</h2>
 * The table lives in the kernel, independent of this object and of the JVM: it stays after
 * {@link SecurePaths#close()}, a crash or {@code kill -9}, and goes only with {@link #remove()},
 * {@code nft delete table inet mpsec_gate}, {@code nft flush ruleset} (for example a restart of
 * {@code nftables.service} with Debian's default {@code /etc/nftables.conf}) or the namespace itself.
 * {@link #installed()} tells whether it is still there; installing again is harmless and keeps the counters.
 *
 * <h2>Requirements</h2>
 * The {@code nft} tool (Debian package {@code nftables}; tested with 1.0.6 on Linux 6.18 and on
 * Debian's 6.1 in the kernel lane) and a kernel with
 * nf_tables and the inet family, {@code rt ipsec} (Linux 4.20+), {@code meta secpath} (4.16+), TCP
 * option matching and {@code reject with tcp reset} ({@code CONFIG_NFT_REJECT_INET}); MPTCP itself needs
 * 5.6+. A missing piece is named by {@link MissingKernelFeatureException} (or, for the tool,
 * {@link JoinGateException}); {@link #unavailabilityCause} checks without changing anything.
 *
 * <h2>Limits</h2>
 * nftables reads the first MPTCP option of a packet. Linux puts exactly one in a join SYN and
 * SYN/ACK; a crafted SYN with another MPTCP option first passes the input rule, but this host's
 * SYN/ACK answering it carries MP_JOIN alone and is refused by the output rule. Forwarded traffic (the host as a router)
 * is not gated.
 *
 * <p>Calls run {@code nft} in the namespace given at creation; the {@link NetNamespace} must stay open
 * while this object is used. Thread-safe (every call is one or two independent {@code nft} runs).
 */
public final class JoinGate {
    /** The table MPSec owns, as nft names it. */
    public static final String TABLE = GateRuleset.FAMILY + " " + GateRuleset.TABLE;

    private final Nft nft;

    JoinGate(Nft nft) {
        this.nft = nft;
    }

    /**
     * Installs (or re-installs, keeping the counters) the gate in namespace {@code ns}
     * ({@code null}: this process's namespace) in one nftables transaction, and checks that it is there.
     *
     * @throws JoinGateException when {@code nft} is missing, too old, or fails
     * @throws MissingKernelFeatureException when the kernel lacks an nftables feature the gate needs
     */
    public static JoinGate install(NetNamespace ns) throws IOException {
        JoinGate g = new JoinGate(NftProcess.in(ns));
        g.installNow();
        return g;
    }

    /** The gate of namespace {@code ns} ({@code null}: this one) without changing anything: to inspect or remove it. */
    public static JoinGate of(NetNamespace ns) throws JoinGateException {
        return new JoinGate(NftProcess.in(ns));
    }

    /**
     * Why the gate cannot be installed in {@code ns} ({@code null}: this namespace), or empty when it
     * can: checks the tool and every kernel feature with {@code nft --check}, which commits nothing.
     */
    public static Optional<String> unavailabilityCause(NetNamespace ns) {
        try {
            new JoinGate(NftProcess.in(ns)).diagnose();
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The nftables transaction {@link #install} applies, for documentation and review. */
    public static String ruleset() {
        return GateRuleset.install();
    }

    void installNow() throws IOException {
        Nft.Result r = nft.run(GateRuleset.install(), "-f", "-");
        if (!r.ok()) {
            diagnose();
            throw new JoinGateException("installing the MPTCP join gate (" + TABLE + ") in " + nft.where() + " failed: "
                    + GateRuleset.firstError(r.stderr()));
        }
        if (!installed()) {
            throw new JoinGateException("nft accepted the MPTCP join gate in " + nft.where() + " but " + TABLE
                    + " does not list both rules afterwards; another program may have replaced it");
        }
    }

    /** Throws the specific error for the first feature the tool or the kernel lacks; returns when all are there. */
    void diagnose() throws IOException {
        for (GateRuleset.Probe p : GateRuleset.probes()) {
            Nft.Result r = nft.run(p.script(), "--check", "-f", "-");
            if (r.ok()) {
                continue;
            }
            String err = GateRuleset.firstError(r.stderr());
            if (GateRuleset.notPermitted(r.stderr())) {
                throw new JoinGateException("nft may not change nftables in " + nft.where() + " (" + err + "): the join "
                        + "gate needs CAP_NET_ADMIN there; run as root");
            }
            if (GateRuleset.syntaxError(r.stderr())) {
                throw new JoinGateException("this nft (" + version() + ") does not understand '" + p.expression() + "' ("
                        + err + "): the join gate needs a newer nftables; install the Debian 12 package nftables (1.0.6) "
                        + "or newer");
            }
            throw new MissingKernelFeatureException(p.feature(), p.requirement(), "in " + nft.where() + " nft says: " + err);
        }
    }

    private String version() {
        try {
            Nft.Result r = nft.run(null, "--version");
            return r.ok() ? r.stdout().strip() : "version unknown";
        } catch (IOException e) {
            return "version unknown";
        }
    }

    /** Whether the gate's table is present with both rules. */
    public boolean installed() throws IOException {
        Nft.Result r = nft.run(null, "list", "table", GateRuleset.FAMILY, GateRuleset.TABLE);
        if (r.ok()) {
            return GateRuleset.hasBothRules(r.stdout());
        }
        if (GateRuleset.noSuchTable(r.stderr())) {
            return false;
        }
        throw new JoinGateException("listing " + TABLE + " in " + nft.where() + " failed: " + GateRuleset.firstError(r.stderr()));
    }

    /** Joins refused so far (the rules' counters), read with one {@code nft} call. */
    public Drops drops() throws IOException {
        Nft.Result r = nft.run(null, "list", "counters", "table", GateRuleset.FAMILY, GateRuleset.TABLE);
        if (!r.ok()) {
            throw new JoinGateException("reading the join gate's counters in " + nft.where() + " failed: "
                    + GateRuleset.firstError(r.stderr()) + (GateRuleset.noSuchTable(r.stderr()) ? " (the gate is not installed)" : ""));
        }
        Map<String, Long> c = GateRuleset.counters(r.stdout());
        Long out = c.get(GateRuleset.OUT_COUNTER);
        Long in = c.get(GateRuleset.IN_COUNTER);
        if (out == null || in == null) {
            throw new JoinGateException("the join gate's counters " + GateRuleset.OUT_COUNTER + " and " + GateRuleset.IN_COUNTER
                    + " are missing from " + TABLE + " in " + nft.where() + "; install the gate again");
        }
        return new Drops(out, in);
    }

    /** All refused joins, both directions ({@code drops().total()}). */
    public long droppedJoins() throws IOException {
        return drops().total();
    }

    /**
     * Removes the gate (idempotent). Afterwards MPTCP may open subflows over pairs IPsec does not
     * protect, in clear.
     */
    public void remove() throws IOException {
        Nft.Result r = nft.run(GateRuleset.remove(), "-f", "-");
        if (!r.ok()) {
            throw new JoinGateException("removing " + TABLE + " in " + nft.where() + " failed: " + GateRuleset.firstError(r.stderr()));
        }
    }

    @Override
    public String toString() {
        return "JoinGate[" + TABLE + " in " + nft.where() + "]";
    }

    /**
     * Join SYNs and SYN/ACKs the gate refused, in packets (the nft rule counters).
     *
     * @param refusedOutbound joins this host tried to send without IPsec (rejected locally, never sent)
     * @param droppedInbound joins that arrived without IPsec (dropped)
     */
    public record Drops(long refusedOutbound, long droppedInbound) {
        /** Both directions. */
        public long total() {
            return refusedOutbound + droppedInbound;
        }
    }
}
