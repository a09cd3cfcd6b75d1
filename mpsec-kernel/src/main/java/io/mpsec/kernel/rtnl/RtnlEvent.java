package io.mpsec.kernel.rtnl;

/** A link or address change multicast by rtnetlink. */
public sealed interface RtnlEvent {
    /** RTM_NEWLINK (also sent for flag changes) or RTM_DELLINK ({@code removed}). */
    record LinkChanged(Link link, boolean removed) implements RtnlEvent {
    }

    /** RTM_NEWADDR or RTM_DELADDR ({@code removed}). */
    record AddressChanged(Address address, boolean removed) implements RtnlEvent {
    }
}
