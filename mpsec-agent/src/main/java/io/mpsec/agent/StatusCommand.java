package io.mpsec.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpsec.agent.status.StatusClient;
import io.mpsec.agent.status.StatusText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Prints the running agent's status, read from its Unix socket. */
@Command(name = "status", mixinStandardHelpOptions = true, description = {
        "Asks the running agent ('serve') over its Unix socket and prints a summary: watched namespaces, their",
        "interfaces with rates, SAs, rekey health, connections and warnings. Needs the agent's user (root)."})
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--socket", paramLabel = "PATH", description = "The agent's status socket (default: ${DEFAULT-VALUE}).")
    Path socket = ServeOptions.DEFAULT_STATUS_SOCKET;

    @Option(names = "--json", description = "Print the agent's answer as JSON.")
    boolean json;

    @Override
    public Integer call() {
        try {
            JsonNode s = StatusClient.status(socket);
            System.out.print(json ? new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(s) + "\n"
                    : StatusText.render(s));
            return 0;
        } catch (IOException e) {
            System.err.println("status: " + e.getMessage());
            return 2;
        }
    }
}
