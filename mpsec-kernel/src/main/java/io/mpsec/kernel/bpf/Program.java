package io.mpsec.kernel.bpf;

import io.mpsec.pm.CongestionControl;
import io.mpsec.pm.MissingKernelFeatureException;

/** The BPF programs MPSec ships, by the coupled algorithm they implement. */
enum Program {
    LIA("lia", "mpsec_lia", "mpsec_lia_conns", LiaConnection.SIZE),
    OLIA("olia", "mpsec_olia", "mpsec_olia_conns", OliaConnection.SIZE),
    BALIA("balia", "mpsec_balia", "mpsec_balia_conns", BaliaConnection.SIZE),
    WVEGAS("wvegas", "mpsec_wvegas", "mpsec_wv_conns", WvegasConnection.SIZE);

    final String algorithm;
    final String kernelName;
    final String stateMap;
    final int entrySize;

    Program(String algorithm, String kernelName, String stateMap, int entrySize) {
        this.algorithm = algorithm;
        this.kernelName = kernelName;
        this.stateMap = stateMap;
        this.entrySize = entrySize;
    }

    String resource() {
        return "/io/mpsec/kernel/bpf/" + kernelName + ".bpf.o";
    }

    static Program of(CongestionControl cc) throws MissingKernelFeatureException {
        for (Program p : values()) {
            if (p.algorithm.equals(cc.name())) {
                return p;
            }
        }
        throw new MissingKernelFeatureException("coupled congestion control '" + cc + "'",
                cc.coupled() ? "a kernel that lists it (MPSec's BPF version of it is not built yet; available: LIA, OLIA, BALIA, WVEGAS)"
                        : "nothing: it is not a coupled algorithm, use it directly with TCP_CONGESTION",
                null);
    }
}
