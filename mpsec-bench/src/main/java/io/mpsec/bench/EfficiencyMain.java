package io.mpsec.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Runs the efficiency comparison without JMH: {@code java -cp benchmarks.jar io.mpsec.bench.EfficiencyMain
 * [pairs] [seconds] [mptcp|tcp] [cpu|-1] [reno|bbr|default] [jdk]} as root. Prints every run, stalled ones included, and the MPSec/C ratios;
 * with {@code jdk}, also a plain JDK socket program under mptcpize ({@link JdkPeer}) and its ratio to C.
 */
public final class EfficiencyMain {
    private EfficiencyMain() {
    }

    /** The median of {@code values}, NaN when empty. */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        boolean mptcp = args.length <= 2 || !args[2].equals("tcp");
        int cpu = args.length > 3 ? Integer.parseInt(args[3]) : -1;
        String cc = args.length > 4 ? args[4] : "reno";
        boolean jdk = args.length > 5 && args[5].equals("jdk");
        Path scratch = Files.createTempDirectory("mpsec-bench");
        System.out.println("kernel " + System.getProperty("os.version") + ", Java " + System.getProperty("java.version")
                + (mptcp ? ", MPTCP" : ", plain TCP (MPTCP disabled in the namespaces)") + ", congestion control " + cc
                + (cpu >= 0 ? ", both sides on CPU " + cpu : ""));
        try (Efficiency e = Efficiency.create(scratch, seconds, mptcp, cpu, cc.equals("default") ? null : cc, jdk)) {
            e.run(Efficiency.Direction.SEND, true); // warm-up: JIT and class loading outside any window
            for (Efficiency.Direction d : Efficiency.Direction.values()) {
                List<Double> ratios = new ArrayList<>();
                List<Double> pairRatios = new ArrayList<>();
                List<Double> jdkRatios = new ArrayList<>();
                for (int i = 0; i < pairs; i++) {
                    Efficiency.Pair p = e.pair(d, 8);
                    if (p == null) {
                        System.out.println(d + ": no clean pair within 8 attempts");
                        continue;
                    }
                    System.out.println(p.mpsec());
                    System.out.println(p.c());
                    System.out.printf("%s ratio mpsec/c = %.3f (both processes: %.3f)%n", d, p.ratio(), p.pairRatio());
                    ratios.add(p.ratio());
                    pairRatios.add(p.pairRatio());
                    if (p.jdk() != null) {
                        System.out.println(p.jdk());
                        System.out.printf("%s ratio jdk/c = %.3f (both processes: %.3f)%n", d, p.jdkRatio(), p.jdkPairRatio());
                        jdkRatios.add(p.jdkRatio());
                    }
                }
                System.out.printf("%s: median ratio %.3f, both processes %.3f, over %d clean pairs%n", d, median(ratios),
                        median(pairRatios), ratios.size());
                if (jdk) {
                    System.out.printf("%s: median ratio jdk/c %.3f%n", d, median(jdkRatios));
                }
            }
            System.out.println("stalled runs: " + e.stalledRuns().size());
            e.stalledRuns().forEach(r -> System.out.println("  " + r));
        }
    }
}
