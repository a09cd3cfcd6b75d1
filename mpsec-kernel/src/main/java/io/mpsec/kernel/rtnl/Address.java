package io.mpsec.kernel.rtnl;

import java.net.InetAddress;

/** An interface address as rtnetlink reports it (IFA_LOCAL, else IFA_ADDRESS). */
public record Address(int ifIndex, InetAddress address, int prefixLen, String label) {
}
