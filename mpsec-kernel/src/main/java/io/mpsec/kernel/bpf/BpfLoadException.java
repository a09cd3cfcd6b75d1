package io.mpsec.kernel.bpf;

import java.io.IOException;
import java.util.List;

/**
 * libbpf could not open, load or register a BPF object. When the kernel's verifier rejected a
 * program, {@link #verifierLog()} holds its log (also appended to the message, shortened). When the
 * object calls kernel functions this kernel lacks (libbpf then refuses it before the verifier runs),
 * {@link #missingKernelFunctions()} names them, and so does the message.
 */
public class BpfLoadException extends IOException {
    private static final long serialVersionUID = 1L;
    private static final int LOG_IN_MESSAGE = 4000;

    private final int errno;
    private final String verifierLog;
    private final List<String> missingKernelFunctions;

    public BpfLoadException(String message, int errno, String verifierLog) {
        this(message, errno, verifierLog, List.of());
    }

    /** {@code missingKernelFunctions}: kernel functions the object calls that this kernel's BTF lacks. */
    public BpfLoadException(String message, int errno, String verifierLog, List<String> missingKernelFunctions) {
        super(message + (verifierLog == null || verifierLog.isBlank() ? ""
                : "\nverifier log (last part):\n" + tail(verifierLog)));
        this.errno = errno;
        this.verifierLog = verifierLog == null ? "" : verifierLog;
        this.missingKernelFunctions = List.copyOf(missingKernelFunctions);
    }

    private static String tail(String log) {
        return log.length() <= LOG_IN_MESSAGE ? log : "..." + log.substring(log.length() - LOG_IN_MESSAGE);
    }

    /** The errno libbpf reported (positive), 0 if none. */
    public int errno() {
        return errno;
    }

    /** Kernel functions the object calls that this kernel lacks (for example {@code bpf_rdonly_cast} before 6.2). */
    public List<String> missingKernelFunctions() {
        return missingKernelFunctions;
    }

    /** The kernel's verifier log for the failed load, empty if there was none. */
    public String verifierLog() {
        return verifierLog;
    }
}
