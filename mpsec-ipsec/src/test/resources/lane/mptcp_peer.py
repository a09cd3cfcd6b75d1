# MPTCP peer for the kernel-lane tests (an independent MPTCP implementation: Python's socket module).
#   server ADDR PORT                 accept one connection, read to EOF, answer "ok",
#                                    print "received BYTES SHA256"
#   client ADDR PORT BYTES SECONDS   connect (retrying), send BYTES seeded-random bytes spread over
#                                    SECONDS, half-close, wait for "ok", print "sent BYTES SHA256 ok"
#   client ADDR PORT BYTES stdin     the same, but first trickle 16 KiB every 50 ms until a line arrives on
#                                    stdin (at most 180 s), then send BYTES more at full speed; BYTES in
#                                    the "sent" line counts both phases
import hashlib, random, select, socket, sys, time

IPPROTO_MPTCP = getattr(socket, "IPPROTO_MPTCP", 262)

def server(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(180)
    print("listening", flush=True)
    c, _ = s.accept()
    c.settimeout(90)
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        h.update(b)
        n += len(b)
    c.sendall(b"ok")
    c.close()
    print("received %d %s" % (n, h.hexdigest()), flush=True)

def client(addr, port, total, seconds):
    deadline = time.time() + 90
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
        s.settimeout(15)
        try:
            s.connect((addr, port))
            break
        except OSError:
            s.close()
            if time.time() > deadline:
                raise
            time.sleep(0.3)
    s.settimeout(90)
    print("connected", flush=True)
    rnd, h, sent, start = random.Random(42), hashlib.sha256(), 0, time.time()
    if seconds == "stdin":
        seconds = 0
        while time.time() - start < 180:
            b = rnd.randbytes(16384)
            s.sendall(b)
            h.update(b)
            sent += len(b)
            if select.select([sys.stdin], [], [], 0.05)[0]:
                sys.stdin.readline()
                break
        total += sent
    else:
        seconds = float(seconds)
    while sent < total:
        n = min(16384, total - sent)
        b = rnd.randbytes(n)
        s.sendall(b)
        h.update(b)
        sent += n
        if seconds > 0:
            ahead = sent / total * seconds - (time.time() - start)
            if ahead > 0:
                time.sleep(ahead)
    s.shutdown(socket.SHUT_WR)
    ack = s.recv(2)
    print("sent %d %s %s" % (sent, h.hexdigest(), ack.decode()), flush=True)

if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(sys.argv[2], int(sys.argv[3]))
    else:
        client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
