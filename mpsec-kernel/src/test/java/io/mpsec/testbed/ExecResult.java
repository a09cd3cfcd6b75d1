package io.mpsec.testbed;

/**
 * The outcome of a command run by the testbed: exit code and the complete standard output and error.
 *
 * @param exitCode the process exit code (0 = success)
 * @param stdout everything the command wrote to standard output
 * @param stderr everything the command wrote to standard error
 */
public record ExecResult(int exitCode, String stdout, String stderr) {

    /** True when the command exited with 0. */
    public boolean ok() {
        return exitCode == 0;
    }

    /** A multi-line description for assertion messages: exit code, stdout and stderr. */
    public String describe() {
        return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
    }
}
