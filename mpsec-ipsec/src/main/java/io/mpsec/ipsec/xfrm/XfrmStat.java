package io.mpsec.ipsec.xfrm;

import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The xfrm error counters of one network namespace, from {@code /proc/net/xfrm_stat}
 * (net/xfrm/xfrm_proc.c; meanings in Documentation/networking/xfrm_proc.rst). They count packets the
 * IPsec layer dropped, host-wide: the replay ({@link #inStateSeqError()}) and integrity
 * ({@link #inStateProtoError()}) failures that GETAE does not report per SA, and the packets a policy
 * blocked ({@link #outPolBlock()}, {@link #inPolBlock()}) or that found no SA ({@link #outNoStates()},
 * {@link #inNoStates()}).
 *
 * <p>Every counter the kernel prints is kept ({@link #all()}); the ones this class does not name yet
 * (added by newer kernels) are in {@link #unknown()}. A named counter that this kernel does not print
 * (an older kernel) reads 0; {@link #has(String)} tells the two apart.
 */
public final class XfrmStat {
    /** The counters named by accessors, in the kernel's order (Linux 6.18; the last four are newer than 6.1). */
    static final Set<String> KNOWN = Set.of("XfrmInError", "XfrmInBufferError", "XfrmInHdrError", "XfrmInNoStates",
            "XfrmInStateProtoError", "XfrmInStateModeError", "XfrmInStateSeqError", "XfrmInStateExpired",
            "XfrmInStateMismatch", "XfrmInStateInvalid", "XfrmInTmplMismatch", "XfrmInNoPols", "XfrmInPolBlock",
            "XfrmInPolError", "XfrmOutError", "XfrmOutBundleGenError", "XfrmOutBundleCheckError", "XfrmOutNoStates",
            "XfrmOutStateProtoError", "XfrmOutStateModeError", "XfrmOutStateSeqError", "XfrmOutStateExpired",
            "XfrmOutPolBlock", "XfrmOutPolDead", "XfrmOutPolError", "XfrmFwdHdrError", "XfrmOutStateInvalid",
            "XfrmAcquireError", "XfrmOutStateDirError", "XfrmInStateDirError", "XfrmInIptfsError", "XfrmOutNoQueueSpace");

    private final Map<String, Long> counters;

    private XfrmStat(Map<String, Long> counters) {
        this.counters = Collections.unmodifiableMap(counters);
    }

    /**
     * Reads the counters of {@code ns} ({@code null}: the calling thread's namespace). The file is read
     * through {@code /proc/thread-self}, on the namespace's own thread: {@code /proc/net} follows the
     * process's main thread, not the thread that entered the namespace.
     *
     * @throws IOException when the kernel has no xfrm statistics (CONFIG_XFRM_STATISTICS unset)
     */
    public static XfrmStat read(NetNamespace ns) throws IOException {
        if (ns != null) {
            return ns.call(() -> read(null));
        }
        Path file = Path.of("/proc/thread-self/net/xfrm_stat");
        try {
            return parse(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            throw new IOException("this kernel has no " + file + " (xfrm statistics need CONFIG_XFRM_STATISTICS); the "
                    + "host-wide replay, integrity and policy-block counters are not available", e);
        }
    }

    /** Parses the text of {@code /proc/net/xfrm_stat}: one {@code "Name <whitespace> value"} per line. */
    public static XfrmStat parse(String text) throws IOException {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] t = line.trim().split("\\s+");
            try {
                if (t.length != 2) {
                    throw new NumberFormatException();
                }
                m.put(t[0], Long.parseUnsignedLong(t[1]));
            } catch (NumberFormatException e) {
                throw new IOException("unexpected line in xfrm_stat: '" + line.trim() + "' (expected 'Name value')");
            }
        }
        return new XfrmStat(m);
    }

    /** Every counter, in the kernel's order. */
    public Map<String, Long> all() {
        return counters;
    }

    /** The counters this class has no accessor for (from kernels newer than it). */
    public Map<String, Long> unknown() {
        Map<String, Long> u = new LinkedHashMap<>(counters);
        u.keySet().removeAll(KNOWN);
        return Collections.unmodifiableMap(u);
    }

    /** Whether this kernel prints counter {@code name}. */
    public boolean has(String name) {
        return counters.containsKey(name);
    }

    /** Counter {@code name}, 0 when this kernel does not print it. */
    public long get(String name) {
        return counters.getOrDefault(name, 0L);
    }

    /** All errors not matched by other counters. */
    public long inError() {
        return get("XfrmInError");
    }

    /** No buffer is left. */
    public long inBufferError() {
        return get("XfrmInBufferError");
    }

    /** Header error. */
    public long inHdrError() {
        return get("XfrmInHdrError");
    }

    /** No state found: wrong SPI, address or protocol at the SA (an inbound SA is missing). */
    public long inNoStates() {
        return get("XfrmInNoStates");
    }

    /** Transformation protocol specific error, for example an ESP integrity (ICV) check failure. */
    public long inStateProtoError() {
        return get("XfrmInStateProtoError");
    }

    /** Transformation mode specific error. */
    public long inStateModeError() {
        return get("XfrmInStateModeError");
    }

    /** Sequence error: the sequence number was outside the replay window (a replay). */
    public long inStateSeqError() {
        return get("XfrmInStateSeqError");
    }

    /** The state has expired. */
    public long inStateExpired() {
        return get("XfrmInStateExpired");
    }

    /** The state has a mismatched option, for example the UDP encapsulation type. */
    public long inStateMismatch() {
        return get("XfrmInStateMismatch");
    }

    /** The state is invalid. */
    public long inStateInvalid() {
        return get("XfrmInStateInvalid");
    }

    /** No matching template for the states, for example an inbound SA is correct but the policy rule is wrong. */
    public long inTmplMismatch() {
        return get("XfrmInTmplMismatch");
    }

    /** No policy found for the states, for example the inbound SA is correct but there is no policy. */
    public long inNoPols() {
        return get("XfrmInNoPols");
    }

    /** Policy discards (an inbound BLOCK policy). */
    public long inPolBlock() {
        return get("XfrmInPolBlock");
    }

    /** Policy error. */
    public long inPolError() {
        return get("XfrmInPolError");
    }

    /** All outbound errors not matched by other counters. */
    public long outError() {
        return get("XfrmOutError");
    }

    /** Bundle generation error. */
    public long outBundleGenError() {
        return get("XfrmOutBundleGenError");
    }

    /** Bundle check error. */
    public long outBundleCheckError() {
        return get("XfrmOutBundleCheckError");
    }

    /** No state was found: a policy requires an SA that is not installed (traffic dropped, not sent in clear). */
    public long outNoStates() {
        return get("XfrmOutNoStates");
    }

    /** Transformation protocol specific error. */
    public long outStateProtoError() {
        return get("XfrmOutStateProtoError");
    }

    /** Transformation mode specific error. */
    public long outStateModeError() {
        return get("XfrmOutStateModeError");
    }

    /** Sequence error: the sequence number overflowed. */
    public long outStateSeqError() {
        return get("XfrmOutStateSeqError");
    }

    /** The state has expired. */
    public long outStateExpired() {
        return get("XfrmOutStateExpired");
    }

    /** Policy discards (an outbound BLOCK policy): the kill switch at work. */
    public long outPolBlock() {
        return get("XfrmOutPolBlock");
    }

    /** The policy is dead. */
    public long outPolDead() {
        return get("XfrmOutPolDead");
    }

    /** Policy error. */
    public long outPolError() {
        return get("XfrmOutPolError");
    }

    /** Forward routing of a packet is not allowed. */
    public long fwdHdrError() {
        return get("XfrmFwdHdrError");
    }

    /** The state is invalid, perhaps expired. */
    public long outStateInvalid() {
        return get("XfrmOutStateInvalid");
    }

    /** State hasn't been fully acquired before use. */
    public long acquireError() {
        return get("XfrmAcquireError");
    }

    /** Outbound packet on an SA with the inbound direction (Linux 6.10+). */
    public long outStateDirError() {
        return get("XfrmOutStateDirError");
    }

    /** Inbound packet on an SA with the outbound direction (Linux 6.10+). */
    public long inStateDirError() {
        return get("XfrmInStateDirError");
    }

    /** IP-TFS (RFC 9347) inbound error (Linux 6.14+). */
    public long inIptfsError() {
        return get("XfrmInIptfsError");
    }

    /** No space left in the queue of packets waiting for an SA (Linux 6.14+). */
    public long outNoQueueSpace() {
        return get("XfrmOutNoQueueSpace");
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("XfrmStat[");
        counters.forEach((k, v) -> {
            if (v != 0) {
                sb.append(sb.length() > 9 ? ", " : "").append(k).append('=').append(v);
            }
        });
        return sb.append(']').toString();
    }
}
