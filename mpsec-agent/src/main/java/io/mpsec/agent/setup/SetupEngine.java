package io.mpsec.agent.setup;

import io.mpsec.agent.config.MpsecConfig;
import io.mpsec.agent.setup.Snapshots.Snapshot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code mpsec-agent setup}: reads the current state of the items a configuration manages, computes
 * the plan (the changes from current to desired), prints it as a diff, saves a snapshot of those
 * items, and applies the plan in order. A failure rolls back what this run applied, in reverse
 * (secure paths end BLOCKED, never in clear). {@link #undo} restores the last snapshot.
 *
 * <p>Everything that can be checked is checked before the first change: privileges, the namespace,
 * interfaces and their addresses, the kernel's path managers, schedulers and congestion controls,
 * and (in the configuration) the master key file.
 */
public final class SetupEngine {
    private final Path stateDir;
    private final PrintStream out;

    /**
     * @param stateDir where snapshots go (default {@code /var/lib/mpsec})
     * @param out      where the plan and progress are printed
     */
    public SetupEngine(Path stateDir, PrintStream out) {
        this.stateDir = stateDir;
        this.out = out;
    }

    /**
     * Brings namespace {@code netns} ({@code null}: this process's) to the configuration.
     *
     * @param configFile the configuration's file name, recorded in the snapshot
     * @return whether anything changed (false for "no changes" and for a dry run)
     */
    public boolean setup(MpsecConfig config, String configFile, String netns, boolean dryRun) throws SetupException {
        Privileges.requireNetAdmin();
        try (Target t = Target.open(netns)) {
            NetState desired;
            NetState current;
            List<Change> plan;
            try {
                requirePathManager(t);
                desired = Desired.of(config, t);
                current = StateReader.read(t, desired);
                plan = Planner.plan(current, desired, config.securePaths());
            } catch (IOException e) {
                throw new SetupException("reading the current state of namespace " + t.label() + " failed: " + e.getMessage()
                        + ". Nothing was changed.", true, e);
            }
            if (!print(t, plan) || dryRun) {
                return false;
            }
            try {
                Snapshots.save(stateDir, new Snapshot(t.label(), Instant.now().toString(), configFile, desired, current));
            } catch (IOException e) {
                throw new SetupException("cannot save the snapshot to " + Snapshots.file(stateDir, t.label()) + " (" + e.getMessage()
                        + "); without it --undo would be impossible, so nothing was changed. Use --state-dir DIR.", true, e);
            }
            apply(t, plan);
            out.println("applied " + plan.size() + " change(s) in namespace " + t.label() + "; snapshot: "
                    + Snapshots.file(stateDir, t.label()));
            return true;
        } catch (IOException e) {
            throw new SetupException("closing the kernel clients failed: " + e.getMessage(), false, e);
        }
    }

    /**
     * Restores the snapshot of namespace {@code netns}. If the peers had no IPsec policy before
     * (cleartext), undo would put them back in clear: it refuses unless {@code yes}.
     */
    public boolean undo(String netns, boolean yes, boolean dryRun) throws SetupException {
        Privileges.requireNetAdmin();
        try (Target t = Target.open(netns)) {
            Snapshot s;
            List<Change> plan;
            try {
                s = Snapshots.load(stateDir, t.label()).orElseThrow(() -> new SetupException("nothing to undo: no snapshot "
                        + Snapshots.file(stateDir, t.label()) + " (setup saves one before it changes anything; an undone "
                        + "snapshot is kept as snapshot.undone-*.json)", true));
                NetState current = StateReader.read(t, s.scope());
                plan = Planner.plan(current, s.before(), null);
            } catch (IOException e) {
                throw new SetupException("reading the snapshot or the current state of namespace " + t.label() + " failed: "
                        + e.getMessage() + ". Nothing was changed.", true, e);
            }
            boolean opensClear = plan.stream().anyMatch(c -> c instanceof SecureRestoreChange r && r.opensClear());
            if (!print(t, plan) || dryRun) {
                return false;
            }
            if (opensClear && !yes) {
                throw new SetupException("before setup ran (" + s.created() + "), the peers " + s.scope().secure().remote()
                        + " had no IPsec policy: traffic to them went in clear. Undo would remove MPSec's protection and let it "
                        + "go in clear again. Run the undo again with --yes to do that. Nothing was changed.", true);
            }
            apply(t, plan);
            try {
                Snapshots.retire(stateDir, t.label());
            } catch (IOException e) {
                out.println("warning: undo done, but the snapshot could not be renamed: " + e.getMessage());
            }
            out.println("restored namespace " + t.label() + " to the snapshot of " + s.created()
                    + (opensClear ? "; traffic to the peers is NOT protected now" : ""));
            return true;
        } catch (IOException e) {
            throw new SetupException("closing the kernel clients failed: " + e.getMessage(), false, e);
        }
    }

    /**
     * What a failed run left on the peers' selectors, read back from the kernel: blocked (the secure
     * paths failed closed), or nothing (the failure came before the first policy); empty when unchanged.
     */
    private static String secureOutcome(Target t, List<Change> plan) {
        try {
            SecureApplyChange c = (SecureApplyChange) plan.stream().filter(x -> x instanceof SecureApplyChange).findFirst().orElseThrow();
            NetState.SecureEntry now = c.readBack(t);
            long blocked = now.policies().stream().filter(p -> p.action().equals("BLOCK")).count();
            if (blocked > 0) {
                return "The secure paths fail closed: the peers are BLOCKED (" + blocked + " BLOCK policies), not in clear; fix the "
                        + "cause and run setup again, or run setup --undo --yes to remove protection. ";
            }
            if (now.policies().equals(c.before().policies())) {
                return "";
            }
            return "The policies on the peers' selectors are now: " + now.policies() + ". ";
        } catch (IOException | RuntimeException e) {
            return "The state of the secure paths could not be read back (" + e.getMessage() + "): check 'ip xfrm policy'. ";
        }
    }

    private static void requirePathManager(Target t) throws SetupException {
        try {
            t.pm();
        } catch (IOException e) {
            throw new SetupException("the kernel's MPTCP path manager (generic netlink family mptcp_pm, Linux 5.7+ with "
                    + "CONFIG_MPTCP) is not available in namespace " + t.label() + ": " + e.getMessage() + ". Nothing was changed.",
                    true, e);
        }
    }

    private boolean print(Target t, List<Change> plan) {
        if (plan.isEmpty()) {
            out.println("namespace " + t.label() + ": no changes");
            return false;
        }
        out.println("namespace " + t.label() + ": " + plan.size() + " change(s)");
        for (Change c : plan) {
            c.diff().forEach(l -> out.println("  " + l));
        }
        return true;
    }

    private void apply(Target t, List<Change> plan) throws SetupException {
        List<Change> done = new ArrayList<>();
        for (Change c : plan) {
            try {
                c.apply(t);
                done.add(c);
            } catch (IOException | RuntimeException e) {
                String failed = c.diff().stream().filter(l -> l.startsWith("+")).findFirst().orElse(c.diff().get(0))
                        + (c.diff().size() > 2 ? " ..." : "");
                List<String> notReverted = new ArrayList<>();
                for (int i = done.size() - 1; i >= 0; i--) {
                    try {
                        done.get(i).revert(t);
                    } catch (IOException | RuntimeException r) {
                        notReverted.add(done.get(i).diff().get(done.get(i).diff().size() - 1) + " (" + r.getMessage() + ")");
                    }
                }
                boolean secureTried = c instanceof SecureApplyChange || done.stream().anyMatch(d -> d instanceof SecureApplyChange);
                String secureState = secureTried ? secureOutcome(t, plan) : "";
                String msg = "applying [" + failed + "] in namespace " + t.label() + " failed: " + e.getMessage() + ". "
                        + (done.isEmpty() ? "It was the first change. " : "Rolled back the " + done.size() + " change(s) before it"
                        + (notReverted.isEmpty() ? ". " : ", except: " + notReverted + ". "))
                        + secureState;
                throw new SetupException(msg, notReverted.isEmpty() && secureState.isEmpty(), e);
            }
        }
    }
}
