package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.testbed.Testbed;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Interop with MPTCP peers MPSec did not write: python3 with socket.IPPROTO_MPTCP, and a plain TCP
 * python3 program forced onto MPTCP by mptcpize (LD_PRELOAD), in both directions. Every transfer is
 * checked by SHA-256 and every connection by the peer's own view (TCP_IS_MPTCP / MPTCP_INFO) and ss -M.
 */
class InteropIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 0).mptcpLimits(4, 4).build();

    private static final int PORT = 7100;
    private static final long BYTES = 4_000_000;

    /** A python3 server: accept one connection, read to EOF, print "<bytes> <sha256> <is_mptcp>". */
    private static String pyServer(String addr, boolean ipprotoMptcp) {
        return "import socket,hashlib\n"
                + "s=socket.socket(socket.AF_INET,socket.SOCK_STREAM," + (ipprotoMptcp ? "socket.IPPROTO_MPTCP" : "0") + ")\n"
                + "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                + "s.bind(('" + addr + "'," + PORT + "));s.listen(1)\n"
                + "print('listening',flush=True)\n"
                + "c,_=s.accept();h=hashlib.sha256();n=0\n"
                + "mp=c.getsockopt(socket.IPPROTO_TCP,43)\n"
                + "while True:\n"
                + "  b=c.recv(65536)\n"
                + "  if not b: break\n"
                + "  h.update(b);n+=len(b)\n"
                + "print(n,h.hexdigest(),mp,flush=True)\n";
    }

    /** A python3 client: connect, send BYTES of seeded data, print "<sha256> <is_mptcp>". */
    private static String pyClient(String addr, int port, boolean ipprotoMptcp) {
        return "import socket,hashlib,random,time\n"
                + "r=random.Random(5);h=hashlib.sha256()\n"
                + "for i in range(100):\n"
                + "  try:\n"
                + "    s=socket.socket(socket.AF_INET,socket.SOCK_STREAM," + (ipprotoMptcp ? "socket.IPPROTO_MPTCP" : "0") + ");s.connect(('" + addr + "'," + port + "));break\n"
                + "  except ConnectionRefusedError: time.sleep(0.1)\n"
                + "mp=s.getsockopt(socket.IPPROTO_TCP,43)\n"
                + "left=" + BYTES + "\n"
                + "while left>0:\n"
                + "  b=r.randbytes(min(65536,left));s.sendall(b);h.update(b);left-=len(b)\n"
                + "s.shutdown(socket.SHUT_WR);s.recv(1);s.close()\n"
                + "print(h.hexdigest(),mp,flush=True)\n";
    }

    @Test
    void mpsecClientToPythonMptcpServer() throws Exception {
        clientToForeignServer(List.of("python3", "-c"), true);
    }

    @Test
    void mpsecClientToMptcpizedPlainServer() throws Exception {
        clientToForeignServer(List.of("mptcpize", "run", "python3", "-c"), false);
    }

    @Test
    void pythonMptcpClientToMpsecServer() throws Exception {
        foreignClientToServer(List.of("python3", "-c"), true);
    }

    @Test
    void mptcpizedPlainClientToMpsecServer() throws Exception {
        foreignClientToServer(List.of("mptcpize", "run", "python3", "-c"), false);
    }

    private static void requireTools(List<String> launcher) {
        io.mpsec.testbed.Privileged.requireTool("python3", "python3");
        if (launcher.get(0).equals("mptcpize")) {
            io.mpsec.testbed.Privileged.requireTool("mptcpize", "mptcpize");
        }
    }

    private void clientToForeignServer(List<String> launcher, boolean ipprotoMptcp) throws Exception {
        requireTools(launcher);
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        List<String> cmd = new ArrayList<>(launcher);
        cmd.add(pyServer(addr.getHostAddress(), ipprotoMptcp));
        Process server = s.startProcess(cmd.toArray(String[]::new));
        var out = server.inputReader(StandardCharsets.UTF_8);
        assertThat(out.readLine()).isEqualTo("listening");
        String sent;
        try (MpsecSocket socket = c.call(() -> new MpsecSocket(addr, PORT))) {
            assertThat(socket.isMultipath()).as("foreign peer speaks MPTCP").isTrue();
            String ss = c.execOk("ss", "-Mnt", "state", "established").stdout();
            assertThat(ss).as("ss -M lists the MPTCP socket").contains(addr.getHostAddress() + ":" + PORT);
            sent = Payload.send(socket.getOutputStream(), BYTES, 3, null);
            socket.shutdownOutput();
        }
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String[] line = out.readLine().split(" ");
        assertThat(Long.parseLong(line[0])).isEqualTo(BYTES);
        assertThat(line[1]).isEqualTo(sent);
        assertThat(line[2]).as("peer's TCP_IS_MPTCP").isEqualTo("1");
    }

    private void foreignClientToServer(List<String> launcher, boolean ipprotoMptcp) throws Exception {
        requireTools(launcher);
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 50, addr))) {
            List<String> cmd = new ArrayList<>(launcher);
            cmd.add(pyClient(addr.getHostAddress(), server.getLocalPort(), ipprotoMptcp));
            Process client = c.startProcess(cmd.toArray(String[]::new));
            server.setSoTimeout(30_000);
            Payload.Received r;
            try (MpsecSocket peer = server.accept(); InputStream in = peer.getInputStream()) {
                assertThat(peer.isMultipath()).as("foreign client speaks MPTCP").isTrue();
                r = Payload.receive(in);
                peer.getOutputStream().write(1);
            }
            assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String[] line = client.inputReader(StandardCharsets.UTF_8).readLine().split(" ");
            assertThat(r.bytes()).isEqualTo(BYTES);
            assertThat(r.sha256()).isEqualTo(line[0]);
            assertThat(line[1]).as("client's TCP_IS_MPTCP").isEqualTo("1");
        }
    }
}
