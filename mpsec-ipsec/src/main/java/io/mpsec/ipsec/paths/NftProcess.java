package io.mpsec.ipsec.paths;

import io.mpsec.kernel.netns.NamespaceTool;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code nft} binary run in one namespace, like {@code ip netns exec NAME nft ...} ({@link NamespaceTool}). */
final class NftProcess implements Nft {
    private static final long TIMEOUT_SECONDS = 30;

    private final NamespaceTool tool;

    private NftProcess(NamespaceTool tool) {
        this.tool = tool;
    }

    /**
     * {@code nft} in namespace {@code ns} ({@code null}: this process's namespace).
     *
     * @throws JoinGateException when the {@code nft} tool is not installed
     */
    static NftProcess in(NetNamespace ns) throws JoinGateException {
        return in(ns, NamespaceTool.find("nft"));
    }

    /** As {@link #in(NetNamespace)} with the binary already looked up (empty: not installed). */
    static NftProcess in(NetNamespace ns, Optional<Path> binary) throws JoinGateException {
        Path nft = binary.orElseThrow(() -> new JoinGateException("the nft tool (nftables) is not installed, and MPSec's "
                + "join gate needs it to refuse MPTCP subflows that IPsec does not protect: install the Debian package "
                + "nftables ('apt-get install nftables'; './mpsec deps' installs it)"));
        return new NftProcess(new NamespaceTool(ns, nft, TIMEOUT_SECONDS));
    }

    @Override
    public String where() {
        return tool.where();
    }

    @Override
    public Result run(String stdin, String... args) throws IOException {
        NamespaceTool.Result r = tool.run(stdin, args);
        return new Result(r.exitCode(), r.stdout(), r.stderr());
    }
}
