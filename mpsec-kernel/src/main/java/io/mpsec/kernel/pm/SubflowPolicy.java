package io.mpsec.kernel.pm;

import java.net.InetAddress;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which address pairs may carry a new MPTCP subflow. A path manager restricted with
 * {@link MptcpPathManager#restrictedTo} refuses {@code SUBFLOW_CREATE} for any other pair (nothing is
 * sent to the kernel), so a strategy can never open a subflow that IPsec does not protect.
 *
 * <p>With fail-closed secure paths, give the same local and remote addresses as the secure paths:
 * {@code SubflowPolicy.pairs(local, remote)}. {@link #ANY} allows everything: use it only where no
 * IPsec is configured.
 */
@FunctionalInterface
public interface SubflowPolicy {
    /** No restriction: every pair is allowed. */
    SubflowPolicy ANY = new SubflowPolicy() {
        @Override
        public boolean allows(InetAddress local, InetAddress remote) {
            return true;
        }

        @Override
        public String toString() {
            return "any pair";
        }
    };

    /** Whether a subflow from {@code local} to {@code remote} may be opened (ports do not matter). */
    boolean allows(InetAddress local, InetAddress remote);

    /** Allowed only when both this policy and {@code other} allow it. */
    default SubflowPolicy and(SubflowPolicy other) {
        Objects.requireNonNull(other, "other");
        if (this == ANY) {
            return other;
        }
        if (other == ANY) {
            return this;
        }
        SubflowPolicy self = this;
        return new SubflowPolicy() {
            @Override
            public boolean allows(InetAddress local, InetAddress remote) {
                return self.allows(local, remote) && other.allows(local, remote);
            }

            @Override
            public String toString() {
                return self + " and " + other;
            }
        };
    }

    /**
     * Every pair of one of {@code locals} and one of {@code remotes} (the mesh that secure paths
     * protect). Pairs of different address families never match.
     */
    static SubflowPolicy pairs(Collection<InetAddress> locals, Collection<InetAddress> remotes) {
        return new Pairs(Set.copyOf(locals), Set.copyOf(remotes));
    }

    /** The policy {@link #pairs} returns: the mesh of {@code locals} x {@code remotes}. */
    record Pairs(Set<InetAddress> locals, Set<InetAddress> remotes) implements SubflowPolicy {
        public Pairs {
            if (locals.isEmpty() || remotes.isEmpty()) {
                throw new IllegalArgumentException("a subflow policy of address pairs needs at least one local and one remote "
                        + "address, got locals " + locals + ", remotes " + remotes + " (use SubflowPolicy.ANY for no restriction)");
            }
            locals = Set.copyOf(locals);
            remotes = Set.copyOf(remotes);
        }

        @Override
        public boolean allows(InetAddress local, InetAddress remote) {
            return local != null && remote != null && locals.contains(local) && remotes.contains(remote);
        }

        @Override
        public String toString() {
            return "pairs of " + names(locals) + " x " + names(remotes);
        }

        private static Set<String> names(Set<InetAddress> a) {
            return a.stream().map(InetAddress::getHostAddress).sorted().collect(Collectors.toCollection(LinkedHashSet::new));
        }
    }
}
