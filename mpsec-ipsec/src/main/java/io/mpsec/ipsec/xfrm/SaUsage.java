package io.mpsec.ipsec.xfrm;

/**
 * What an installed SA has been used for so far, from XFRM_MSG_GETAE ({@code struct xfrm_lifetime_cur}):
 * read without the kernel ever sending the SA's key.
 *
 * @param bytes bytes protected (outbound SA) or verified (inbound SA)
 * @param packets packets
 * @param addTime when the SA was installed, seconds since the epoch
 * @param useTime when the SA was first used, seconds since the epoch; 0 if never
 */
public record SaUsage(long bytes, long packets, long addTime, long useTime) {
}
