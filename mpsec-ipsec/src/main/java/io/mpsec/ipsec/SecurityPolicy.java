package io.mpsec.ipsec;

import java.util.List;
import java.util.Objects;

/**
 * A security policy: traffic matching {@link #selector()} in {@link #direction()} must use the
 * {@link #templates()} (ESP) or is blocked. Immutable; build it with {@link #builder()}.
 */
public final class SecurityPolicy {
    /** What happens to matching traffic. */
    public enum Action {
        /** Apply the templates (or, without templates, let the traffic pass in clear). */
        ALLOW,
        /** Drop the traffic. */
        BLOCK
    }

    private final Selector selector;
    private final Direction direction;
    private final long priority;
    private final Action action;
    private final List<Template> templates;

    private SecurityPolicy(Builder b) {
        this.selector = b.selector;
        this.direction = b.direction;
        this.priority = b.priority;
        this.action = b.action;
        this.templates = List.copyOf(b.templates);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Selector selector() {
        return selector;
    }

    public Direction direction() {
        return direction;
    }

    /** Lower values are matched first. */
    public long priority() {
        return priority;
    }

    public Action action() {
        return action;
    }

    public List<Template> templates() {
        return templates;
    }

    /** Whether every template is required (the policy fails closed when an SA is missing). */
    public boolean failClosed() {
        return action == Action.BLOCK || (!templates.isEmpty() && templates.stream().allMatch(Template::required));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SecurityPolicy)) {
            return false;
        }
        SecurityPolicy p = (SecurityPolicy) o;
        return selector.equals(p.selector) && direction == p.direction && priority == p.priority && action == p.action
                && templates.equals(p.templates);
    }

    @Override
    public int hashCode() {
        return Objects.hash(selector, direction, priority);
    }

    @Override
    public String toString() {
        return "SecurityPolicy[" + direction + " " + selector + " priority " + priority + " " + action + " " + templates + "]";
    }

    /** Builds and validates a {@link SecurityPolicy}. */
    public static final class Builder {
        private Selector selector;
        private Direction direction;
        private long priority;
        private Action action = Action.ALLOW;
        private final java.util.ArrayList<Template> templates = new java.util.ArrayList<>();

        private Builder() {
        }

        public Builder selector(Selector v) {
            selector = v;
            return this;
        }

        public Builder direction(Direction v) {
            direction = v;
            return this;
        }

        public Builder priority(long v) {
            priority = v;
            return this;
        }

        public Builder action(Action v) {
            action = v;
            return this;
        }

        public Builder template(Template t) {
            templates.add(t);
            return this;
        }

        public Builder templates(List<Template> ts) {
            templates.clear();
            templates.addAll(ts);
            return this;
        }

        public SecurityPolicy build() {
            if (selector == null) {
                throw new IpsecConfigException("a policy needs a selector, e.g. Selector.hosts(local, remote)");
            }
            if (direction == null) {
                throw new IpsecConfigException("a policy needs a direction: IN, OUT or FWD");
            }
            if (priority < 0 || priority > 0xffffffffL) {
                throw new IpsecConfigException("policy priority must be an unsigned 32-bit value, got " + priority);
            }
            if (action == null) {
                throw new IpsecConfigException("policy action must be ALLOW or BLOCK");
            }
            if (action == Action.BLOCK && !templates.isEmpty()) {
                throw new IpsecConfigException("a BLOCK policy drops traffic and cannot have templates; remove them or use ALLOW");
            }
            if (templates.size() > 6) { // XFRM_MAX_DEPTH in include/net/xfrm.h
                throw new IpsecConfigException("at most 6 templates per policy (XFRM_MAX_DEPTH), got " + templates.size());
            }
            for (Template t : templates) {
                if (t.mode() == Mode.TRANSPORT && t.source().getClass() != selector.source().getClass()) {
                    throw new IpsecConfigException("a transport-mode template must use the selector's address family");
                }
            }
            return new SecurityPolicy(this);
        }
    }
}
