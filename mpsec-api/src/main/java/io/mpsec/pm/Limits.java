package io.mpsec.pm;

/**
 * Per-namespace limits of the in-kernel path manager ({@code ip mptcp limits}).
 *
 * @param subflows the most additional subflows per connection
 * @param addAddrAccepted the most ADD_ADDR announcements accepted from a peer per connection
 */
public record Limits(int subflows, int addAddrAccepted) {
    public Limits {
        if (subflows < 0 || addAddrAccepted < 0) {
            throw new IllegalArgumentException("limits must not be negative: subflows " + subflows
                    + ", add_addr_accepted " + addAddrAccepted);
        }
    }
}
