package io.mpsec.ipsec;

/**
 * Soft and hard limits of an SA. When a soft limit is reached the kernel sends a soft EXPIRE (a
 * signal to rekey); at a hard limit it deletes the SA. {@link #NONE} (0) means no limit.
 *
 * @param softBytes bytes before a soft EXPIRE, 0 for none
 * @param hardBytes bytes before the SA is deleted, 0 for none
 * @param softPackets packets before a soft EXPIRE, 0 for none
 * @param hardPackets packets before the SA is deleted, 0 for none
 * @param softAddSeconds seconds after installation before a soft EXPIRE, 0 for none
 * @param hardAddSeconds seconds after installation before the SA is deleted, 0 for none
 */
public record Lifetime(long softBytes, long hardBytes, long softPackets, long hardPackets, long softAddSeconds,
        long hardAddSeconds) {
    /** No limit. */
    public static final long NONE = 0;
    /** No limits at all. */
    public static final Lifetime UNLIMITED = new Lifetime(0, 0, 0, 0, 0, 0);

    public Lifetime {
        check("softBytes", softBytes, "hardBytes", hardBytes);
        check("softPackets", softPackets, "hardPackets", hardPackets);
        check("softAddSeconds", softAddSeconds, "hardAddSeconds", hardAddSeconds);
    }

    private static void check(String softName, long soft, String hardName, long hard) {
        if (soft < 0 || hard < 0) {
            throw new IpsecConfigException("lifetime " + softName + "/" + hardName + " must not be negative (0 means no limit)");
        }
        if (soft != 0 && hard != 0 && soft >= hard) {
            throw new IpsecConfigException("lifetime " + softName + " (" + soft + ") must be below " + hardName + " (" + hard
                    + ") so that a soft EXPIRE leaves time to rekey");
        }
    }

    /** Time-based limits only. */
    public static Lifetime seconds(long soft, long hard) {
        return new Lifetime(0, 0, 0, 0, soft, hard);
    }
}
