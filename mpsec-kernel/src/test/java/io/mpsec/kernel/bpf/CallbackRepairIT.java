package io.mpsec.kernel.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.testbed.Testbed;
import java.io.InputStream;
import java.util.List;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The guard against skipped callbacks ({@code repair_skipped_callbacks} in mpsec_coupling.h), by fault
 * injection on the real kernel. The test host's kernel sometimes skips a BPF congestion-control
 * callback and stores a stale value as {@code snd_ssthresh}, after which the window of an unguarded
 * program runs away to hundreds of millions of packets (docs/kernel-notes). That cannot be triggered on
 * purpose, so two fixtures of src/test/bpf emulate it: {@code skipping_lia.bpf.c} is mpsec_lia whose
 * ssthresh callback hands the kernel such a stale value on every call, and {@code unrepaired_lia.bpf.c}
 * is the same with the repair compiled out (the control). Each runs a two-subflow bulk transfer through
 * a router whose 100 Mbit/s bottlenecks with 100-packet queues drop packets ({@link ForwardedPaths}),
 * so every subflow enters recovery again and again.
 *
 * <p>Measured outside the code under test: {@code ss -tin} on the sender (every 250 ms) for the
 * subflows' cwnd and ssthresh (ss prints ssthresh only below 65535, so a stale one shows as none), and
 * the receiver's byte count. The programs' own counters say how many stale values were handed out and
 * how many were repaired. With the repair every stale threshold is put back and ss shows sane
 * thresholds and windows; without it the threshold stays stale, the subflows stay in slow start and
 * their windows overshoot to many times what the repaired run needs.
 */
class CallbackRepairIT {
    static final int MBIT = 100;
    static final long SECONDS = 6;
    /** Far above any window or threshold these paths need (about 100 packets of queue, almost no delay). */
    static final long SANE_PACKETS = 10_000;

    @RegisterExtension
    final Testbed net = Testbed.builder().hosts("c", "r", "s").path("c", "r", 0).path("c", "r", 0)
            .path("r", "s", 0).path("r", "s", 0).mptcpLimits(4, 4).build();

    /** What one fixture did: the counters of its .bss, the largest values ss showed, the goodput. */
    record Run(String name, long skipped, CallbackRepairs repairs, long maxCwnd, long maxSsthresh, double saneShare, int samples,
            double mbit) {
    }

    @Test
    void aStaleSsthreshIsRepairedAtTheNextAckWhileWithoutTheRepairTheWindowRunsAway() throws Exception {
        ForwardedPaths paths = ForwardedPaths.build(net, MBIT);
        paths.addSubflowEndpoint();
        Run repaired = run(paths, "skipping_lia", "mpsec_skiplia", true);
        Run control = run(paths, "unrepaired_lia", "mpsec_norepair", false);
        System.out.println("with the repair:    " + repaired);
        System.out.println("without (control):  " + control);

        assertThat(repaired.skipped()).as("stale ssthresh values handed to the kernel (one per loss event)").isPositive();
        assertThat(repaired.repairs().thresholds()).as("stale thresholds put back by the repair")
                .isGreaterThanOrEqualTo(repaired.skipped() / 2);
        assertThat(repaired.maxCwnd()).as("largest subflow window ss showed with the repair").isLessThan(SANE_PACKETS);
        assertThat(repaired.mbit()).as("goodput with the repair, Mbit/s, of 2 x %d", MBIT).isGreaterThan(0.5 * 2 * MBIT);

        assertThat(repaired.saneShare()).as("share of the samples after the first second in which ss shows every subflow with a"
                + " threshold below %d packets, with the repair", SANE_PACKETS).isGreaterThanOrEqualTo(0.8);

        assertThat(control.skipped()).as("the control was handed stale values too").isPositive();
        assertThat(control.repairs().thresholds() + control.repairs().windows()).as("the control repairs nothing").isZero();
        // ss prints ssthresh only below 65535: a stale threshold shows as none, and the subflow stays in slow start
        assertThat(control.saneShare()).as("without the repair the stale threshold stays: share of the samples with a sane one")
                .isLessThanOrEqualTo(0.2);
        assertThat(control.maxCwnd()).as("without the repair the windows overshoot: largest window, against %d with it", repaired.maxCwnd())
                .isGreaterThan(2 * repaired.maxCwnd());
    }

    /** Runs the transfer with fixture {@code fixture} registered as {@code name}; {@code finish}: end it cleanly (EOF, no error) and fail otherwise. */
    private Run run(ForwardedPaths paths, String fixture, String name, boolean finish) throws Exception {
        LibBpf lib = LibBpfBinding.lib();
        byte[] object;
        try (InputStream in = getClass().getResourceAsStream("/io/mpsec/kernel/bpf/" + fixture + ".bpf.o")) {
            assertThat(in).as("fixture %s.bpf.o (mpsec-kernel/src/main/bpf/build.sh)", fixture).isNotNull();
            object = in.readAllBytes();
        }
        try (LoadedObject obj = LoadedObject.openAndLoad(lib, name, object)) {
            Pointer link = lib.bpf_map__attach_struct_ops(obj.map("mpsec_lia"));
            assertThat(link).as("registering %s: errno %d", name, LibBpfBinding.errno()).isNotNull();
            try {
                int bss = lib.bpf_map__fd(obj.map(".bss"));
                long maxCwnd = 0;
                long maxSsthresh = 0;
                double mbit;
                List<SubflowSampler.Sample> samples;
                try (BulkTransfer t = new BulkTransfer(net.host("c"), net.host("s"), paths.server(), name);
                        SubflowSampler sampler = new SubflowSampler(net.host("c"), t.socket().getPort())) {
                    mbit = t.measureMbit(SECONDS * 1000);
                    samples = sampler.samples();
                    if (finish) {
                        t.finish();   // the control's runaway window may not drain in time: it is only closed
                    }
                }
                int late = 0;
                int sane = 0;
                for (SubflowSampler.Sample s : samples) {
                    for (SubflowSampler.Flow f : s.byPath().values()) {
                        maxCwnd = Math.max(maxCwnd, f.cwnd());
                        maxSsthresh = Math.max(maxSsthresh, f.ssthresh());
                    }
                    if (s.nanos() > samples.get(0).nanos() + 1_000_000_000L && !s.byPath().isEmpty()) {
                        late++;
                        sane += s.byPath().values().stream().allMatch(f -> f.ssthresh() >= 2 && f.ssthresh() < SANE_PACKETS) ? 1 : 0;
                    }
                }
                assertThat(samples).as("%s: ss samples with both subflows", name).filteredOn(s -> s.byPath().size() == 2).hasSizeGreaterThan(5);
                byte[] value = new byte[StructOpsMaps.valueSize(lib, bss)];
                assertThat(value.length).as(".bss of %s: two repair counters and mpsec_skipped", fixture).isEqualTo(24);
                assertThat(lib.bpf_map_lookup_elem(bss, new byte[4], value)).as("reading the .bss of %s", fixture).isZero();
                return new Run(name, Bytes.longLE(value, 16), CallbackRepairs.parse(value), maxCwnd, maxSsthresh,
                        late == 0 ? Double.NaN : sane / (double) late, samples.size(), mbit);
            } finally {
                lib.bpf_link__destroy(link);
            }
        }
    }
}
