package io.mpsec.kernel.bpf;

import java.io.IOException;

/**
 * libbpf could not open, load or register a BPF object. When the kernel's verifier rejected a
 * program, {@link #verifierLog()} holds its log (also appended to the message, shortened).
 */
public class BpfLoadException extends IOException {
    private static final long serialVersionUID = 1L;
    private static final int LOG_IN_MESSAGE = 4000;

    private final int errno;
    private final String verifierLog;

    public BpfLoadException(String message, int errno, String verifierLog) {
        super(message + (verifierLog == null || verifierLog.isBlank() ? ""
                : "\nverifier log (last part):\n" + tail(verifierLog)));
        this.errno = errno;
        this.verifierLog = verifierLog == null ? "" : verifierLog;
    }

    private static String tail(String log) {
        return log.length() <= LOG_IN_MESSAGE ? log : "..." + log.substring(log.length() - LOG_IN_MESSAGE);
    }

    /** The errno libbpf reported (positive), 0 if none. */
    public int errno() {
        return errno;
    }

    /** The kernel's verifier log for the failed load, empty if there was none. */
    public String verifierLog() {
        return verifierLog;
    }
}
