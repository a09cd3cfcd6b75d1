package io.mpsec.kernel.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;

/**
 * One decoder under fuzz: its name, the real inputs it starts from, how those inputs are structured
 * (netlink with a fixed header per message type, or raw bytes), the decoder call and the one
 * exception type it may throw for bad input. Anything else it throws is a bug in the decoder.
 *
 * @param name printed name, for example {@code "PmEvents.decode"}
 * @param seeds real inputs (captures), never empty
 * @param fixedSize for netlink input: the fixed header size after nlmsghdr for a message type; {@code null}: raw bytes
 * @param decoder the call under test
 * @param formatException the module's format exception, the only exception bad input may cause
 * @param covers the classes whose coverage this target is about (for the coverage summary)
 * @param extras input-specific mutations applied to some cases (for example "insert a VLAN tag")
 * @param outcome names what a successful decode produced (for example "foreign" or "ESP"), so the
 *     summary shows which kinds of results the mutations reached; {@code null}: just "ok"
 */
public record FuzzTarget(String name, List<byte[]> seeds, IntUnaryOperator fixedSize, Decoder decoder,
        Class<? extends Exception> formatException, List<String> covers, List<Extra> extras,
        java.util.function.Function<Object, String> outcome) {

    /** Decodes one input; returns what it decoded (may be {@code null}). */
    @FunctionalInterface
    public interface Decoder {
        Object decode(byte[] input) throws Exception;
    }

    /** An input-specific mutation. */
    @FunctionalInterface
    public interface Extra {
        byte[] apply(byte[] input, SplittableRandom rnd);
    }

    public FuzzTarget {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException(name + ": no seeds");
        }
        seeds = List.copyOf(seeds);
        covers = List.copyOf(covers);
        extras = List.copyOf(extras);
    }

    /** A builder: {@code FuzzTarget.of("X.decode", seeds, decoder).netlink(type -> 4).covers(X.class).build()}. */
    public static Builder of(String name, List<byte[]> seeds, Decoder decoder) {
        return new Builder(name, seeds, decoder);
    }

    /** Builds a {@link FuzzTarget}. */
    public static final class Builder {
        private final String name;
        private final List<byte[]> seeds;
        private final Decoder decoder;
        private IntUnaryOperator fixedSize;
        private Class<? extends Exception> formatException = io.mpsec.kernel.netlink.NetlinkFormatException.class;
        private final List<String> covers = new ArrayList<>();
        private final List<Extra> extras = new ArrayList<>();
        private java.util.function.Function<Object, String> outcome;

        private Builder(String name, List<byte[]> seeds, Decoder decoder) {
            this.name = name;
            this.seeds = seeds;
            this.decoder = decoder;
        }

        /** Netlink datagrams; {@code fixedSize} gives the family header size after nlmsghdr by message type. */
        public Builder netlink(IntUnaryOperator fixed) {
            this.fixedSize = fixed;
            return this;
        }

        public Builder formatException(Class<? extends Exception> e) {
            this.formatException = e;
            return this;
        }

        public Builder covers(Class<?>... classes) {
            for (Class<?> c : classes) {
                covers.add(c.getName());
            }
            return this;
        }

        /** Classes by name (package-private ones the test cannot name). */
        public Builder covers(String... classNames) {
            covers.addAll(List.of(classNames));
            return this;
        }

        public Builder extra(Extra e) {
            extras.add(e);
            return this;
        }

        /** Names the kind of each successful result, counted separately in the summary. */
        public Builder outcome(java.util.function.Function<Object, String> f) {
            this.outcome = f;
            return this;
        }

        public FuzzTarget build() {
            return new FuzzTarget(name, seeds, fixedSize, decoder, formatException, covers, extras, outcome);
        }
    }
}
