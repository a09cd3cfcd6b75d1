package io.mpsec.ipsec.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.fuzz.FuzzTarget;
import io.mpsec.kernel.fuzz.Fuzzer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the frame classifier with mutations of every captured frame (test resources wire/): the
 * first input byte selects the link type, the rest is the frame. PacketCounter has no format
 * exception: every input must be classified, so any exception at all is a bug. Extra mutations
 * insert the headers the classifier walks through: VLAN tags and IPv6 extension headers.
 */
class PacketCounterFuzzTest {
    static final PacketCounter.LinkType[] LINKS = PacketCounter.LinkType.values();

    @Test
    void theClassifierSurvivesMutatedRealFrames() {
        List<byte[]> seeds = new ArrayList<>();
        for (String name : WireCapture.ALL) {
            WireCapture c = WireCapture.load(name);
            for (byte[] f : c.frames()) {
                byte[] in = new byte[f.length + 1];
                in[0] = (byte) c.link().ordinal();
                System.arraycopy(f, 0, in, 1, f.length);
                seeds.add(in);
            }
        }
        PacketCounter counter = new PacketCounter(WireCapture.MARKER);
        FuzzTarget t = FuzzTarget.of("PacketCounter.inspect", seeds, in -> {
            if (in.length == 0) {
                return null;
            }
            byte[] frame = Arrays.copyOfRange(in, 1, in.length);
            PacketCounter.LinkType link = LINKS[(in[0] & 0xff) % LINKS.length];
            if (link == PacketCounter.LinkType.ETHERNET) {
                counter.inspect(frame);
            }
            return FrameClassifier.classify(frame, link);
        }).covers(PacketCounter.class, FrameClassifier.class).outcome(String::valueOf)
                .extra((in, rnd) -> insert(in, 1 + 12, new byte[] {(byte) (rnd.nextBoolean() ? 0x81 : 0x88),
                    (byte) (rnd.nextBoolean() ? 0x00 : 0xa8), 0, (byte) rnd.nextInt(256)}))
                .extra((in, rnd) -> {
                    // an IPv6 extension header (hop-by-hop, routing, destination options, AH, fragment) after the fixed header
                    int at = 1 + 14 + 40;
                    if (in.length < at) {
                        return in;
                    }
                    int[] types = {0, 43, 60, 51, 44, 135};
                    byte[] h = new byte[8 * (1 + rnd.nextInt(3))];
                    h[0] = in[1 + 14 + 6];
                    h[1] = (byte) (h.length / 8 - 1);
                    in[1 + 14 + 6] = (byte) types[rnd.nextInt(types.length)];
                    return insert(in, at, h);
                }).build();
        Fuzzer.Report r = Fuzzer.run(t);
        assertThat(r.unexpected()).as("unexpected exceptions:%n%s", String.join("\n", r.failures())).isZero();
        assertThat(counter.report().totalPackets()).isPositive();
    }

    static byte[] insert(byte[] b, int at, byte[] ins) {
        if (at > b.length) {
            return b;
        }
        byte[] out = new byte[b.length + ins.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(ins, 0, out, at, ins.length);
        System.arraycopy(b, at, out, at + ins.length, b.length - at);
        return out;
    }
}
