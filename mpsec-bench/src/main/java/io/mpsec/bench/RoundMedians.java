package io.mpsec.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The medians of several {@link Aggregation} rounds, reported by JMH as secondary metrics (the field
 * names are the metric names the report reads). Each round is also appended to a side file.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class RoundMedians {
    public double ratio;
    public double fractionOfSum;
    public double onePathMbit;
    public double allPathsMbit;
    public double minShare;

    /** Runs {@code rounds} rounds on {@code net}, records each in side file {@code sideFile}, and keeps the medians. */
    void measure(PathNet net, String rates, int rounds, double warmSeconds, double seconds, boolean checkShares, String sideFile)
            throws Exception {
        List<Double> ratios = new ArrayList<>();
        List<Double> fractions = new ArrayList<>();
        List<Double> one = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        List<Double> minShares = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            Aggregation.Round r = Aggregation.round(net, warmSeconds, seconds, checkShares);
            ratios.add(r.ratio());
            fractions.add(r.fractionOfSum());
            one.add(r.alone()[0]);
            all.add(r.together());
            minShares.add(Arrays.stream(r.shares()).min().orElse(0));
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("rates", rates);
            rec.put("round", i);
            rec.put("ratio", r.ratio());
            rec.put("fractionOfSum", r.fractionOfSum());
            rec.putAll(r.detail());
            SideFile.append(sideFile, rec);
            System.out.println("round " + i + ": " + rec);
        }
        ratio = EfficiencyMain.median(ratios);
        fractionOfSum = EfficiencyMain.median(fractions);
        onePathMbit = EfficiencyMain.median(one);
        allPathsMbit = EfficiencyMain.median(all);
        minShare = EfficiencyMain.median(minShares);
    }
}
