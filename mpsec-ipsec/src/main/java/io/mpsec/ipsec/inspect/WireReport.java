package io.mpsec.ipsec.inspect;

/**
 * What a {@link WireInspector} saw on an interface.
 *
 * @param totalPackets IP packets captured
 * @param espPackets ESP packets (IP protocol 50)
 * @param cleartextTcpPackets TCP packets not inside ESP (their payload is readable on the wire)
 * @param markerFound whether the plaintext marker appeared in any captured packet
 */
public record WireReport(long totalPackets, long espPackets, long cleartextTcpPackets, boolean markerFound) {
}
