package io.mpsec.ipsec.xfrm;

import io.mpsec.ipsec.SecurityAssociation;

/**
 * An SA as the kernel holds it: the model (keys included, never printed) and its counters.
 *
 * @param sa the SA, or {@code null} when it has no ESP algorithm MPSec can represent (a larval
 *     ALLOCSPI state, for example)
 * @param spi the SPI (also for larval states)
 * @param counters the kernel's counters
 */
public record InstalledSa(SecurityAssociation sa, long spi, SaCounters counters) {
}
