package io.mpsec.ipsec.keys;

import java.util.OptionalLong;

/**
 * Another MPSec instance (another process, or another open {@link KeyGenerations} in this one) holds
 * the key generation ledger of this key file. Two instances on one key file would derive and install
 * the same key generation, so MPSec refuses the second; the message names the lock file and, when
 * the kernel reports it, the holder's process id.
 */
public class KeyLedgerLockedException extends KeyFileException {
    private static final long serialVersionUID = 1L;
    private final long holderPid;

    public KeyLedgerLockedException(String message, long holderPid) {
        super(message);
        this.holderPid = holderPid;
    }

    /** The process id holding the lock, if known (from /proc/locks). */
    public OptionalLong holderPid() {
        return holderPid > 0 ? OptionalLong.of(holderPid) : OptionalLong.empty();
    }
}
