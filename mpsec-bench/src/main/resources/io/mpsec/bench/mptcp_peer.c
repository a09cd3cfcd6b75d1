/*
 * mptcp_peer: the C baseline of MPSec's data-path benchmark. Blocking write(2)/read(2) of 128 KiB on
 * an IPPROTO_MPTCP socket, with the whole process's CPU time (getrusage(RUSAGE_SELF): user + system)
 * sampled every 100 ms next to the byte count, so the caller can pick a steady-state window.
 *
 *   mptcp_peer sink   ADDR PORT          listen, accept one connection, read until EOF
 *   mptcp_peer source ADDR PORT SECONDS [MIN_BYTES]
 *                                        connect, write for SECONDS, then shut down; with MIN_BYTES,
 *                                        stop early (INFO aborted=1) when fewer bytes than that
 *                                        were written after 600 ms: the kernel's stall mode
 *
 * Output (stdout): "READY <port>" (sink, once listening), "SAMPLE <ns> <bytes> <cpu ns> <user cpu ns>" lines,
 * then "INFO key=value" lines from the socket's own counters: MPTCP_INFO mptcpi_bytes_retrans (Linux
 * 6.5+), whether the connection fell back to TCP (mptcpi_flags), and the subflows' tcpi_total_retrans
 * (MPTCP_TCPINFO).
 * Built by the benchmark with gcc at run time; no binary is committed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#define SOL_MPTCP 284     /* include/linux/socket.h */
#define MPTCP_INFO 1      /* include/uapi/linux/mptcp.h */
#define MPTCP_TCPINFO 2
#define MPTCP_INFO_FLAG_FALLBACK 1 /* include/uapi/linux/mptcp.h: _BITUL(0) in mptcpi_flags */
#define CHUNK (128 * 1024)
#define SAMPLE_NS 100000000LL
#define MAX_SAMPLES 4096

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long st[MAX_SAMPLES], sb[MAX_SAMPLES], sc[MAX_SAMPLES], su[MAX_SAMPLES];
static int nsamples;

static void sample(long long t, long long bytes) {
    if (nsamples < MAX_SAMPLES) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        st[nsamples] = t;
        sb[nsamples] = bytes;
        su[nsamples] = ru.ru_utime.tv_sec * 1000000000LL + ru.ru_utime.tv_usec * 1000LL;
        sc[nsamples] = su[nsamples] + ru.ru_stime.tv_sec * 1000000000LL + ru.ru_stime.tv_usec * 1000LL;
        nsamples++;
    }
}

static void die(const char *what) {
    fprintf(stderr, "mptcp_peer: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void parse(const char *addr, int port, struct sockaddr_in *sa) {
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(port);
    if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1) {
        fprintf(stderr, "mptcp_peer: bad IPv4 address %s\n", addr);
        exit(2);
    }
}

/* struct mptcp_subflow_data header + tcp_info per subflow: sum tcpi_total_retrans (offset 100). */
static void print_counters(int fd) {
    unsigned char info[256];
    socklen_t len = sizeof info;
    memset(info, 0, sizeof info);
    if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, info, &len) == 0 && len >= 56) {
        uint64_t retrans;
        uint32_t flags;
        memcpy(&retrans, info + 48, 8);
        memcpy(&flags, info + 8, 4); /* mptcpi_flags */
        printf("INFO mptcp.bytes_retrans=%llu\n", (unsigned long long) retrans);
        printf("INFO mptcp.fallback=%u\n", flags & MPTCP_INFO_FLAG_FALLBACK ? 1 : 0);
    }
    static unsigned char buf[16 + 8 * 256];
    memset(buf, 0, sizeof buf);
    uint32_t hdr[4] = {16, 0, 0, 256};
    memcpy(buf, hdr, sizeof hdr);
    len = sizeof buf;
    if (getsockopt(fd, SOL_MPTCP, MPTCP_TCPINFO, buf, &len) == 0) {
        uint32_t n, size, total = 0;
        memcpy(&n, buf + 4, 4);
        memcpy(&size, buf + 12, 4);
        for (uint32_t i = 0; i < n && i < 8 && size >= 104; i++) {
            uint32_t r;
            memcpy(&r, buf + 16 + i * size + 100, 4);
            total += r;
        }
        printf("INFO subflows=%u\nINFO tcp.total_retrans=%u\n", n, total);
    }
}

static void print_samples(void) {
    for (int i = 0; i < nsamples; i++) {
        printf("SAMPLE %lld %lld %lld %lld\n", st[i], sb[i], sc[i], su[i]);
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: mptcp_peer sink ADDR PORT | source ADDR PORT SECONDS [MIN_BYTES]\n");
        return 2;
    }
    static char buf[CHUNK];
    memset(buf, 0x5a, sizeof buf);
    struct sockaddr_in sa;
    parse(argv[2], atoi(argv[3]), &sa);
    /* like MpsecSocket: plain TCP when this namespace has no MPTCP (net.mptcp.enabled=0) */
    int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
    if (fd < 0 && (errno == ENOPROTOOPT || errno == EPROTONOSUPPORT || errno == EINVAL))
        fd = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (fd < 0) die("socket");
    long long bytes = 0;
    if (strcmp(argv[1], "sink") == 0) {
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) die("bind");
        if (listen(fd, 4) < 0) die("listen");
        socklen_t sl = sizeof sa;
        getsockname(fd, (struct sockaddr *) &sa, &sl);
        printf("READY %d\n", ntohs(sa.sin_port));
        fflush(stdout);
        int c = accept(fd, NULL, NULL);
        if (c < 0) die("accept");
        long long next = 0;
        for (;;) {
            ssize_t n = read(c, buf, CHUNK);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) die("read");
            long long t = now_ns();
            if (next == 0) { sample(t, 0); next = t + SAMPLE_NS; }
            if (n == 0) { sample(t, bytes); break; }
            bytes += n;
            if (t >= next) { sample(t, bytes); next += SAMPLE_NS; }
        }
        print_counters(c);
        close(c);
    } else if (strcmp(argv[1], "source") == 0 && argc >= 5) {
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) die("connect");
        long long start = now_ns(), end = start + atof(argv[4]) * 1e9, next = start + SAMPLE_NS;
        long long min_bytes = argc >= 6 ? atoll(argv[5]) : 0, check = start + 600000000LL;
        int aborted = 0;
        sample(start, 0);
        for (;;) {
            ssize_t n = write(fd, buf, CHUNK);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) die("write");
            bytes += n;
            long long t = now_ns();
            if (t >= next) { sample(t, bytes); next += SAMPLE_NS; }
            if (t >= end) break;
            if (min_bytes > 0 && check && t >= check) {
                if (bytes < min_bytes) { aborted = 1; sample(t, bytes); break; }
                check = 0;
            }
        }
        printf("INFO aborted=%d\n", aborted);
        print_counters(fd);
        shutdown(fd, SHUT_WR);
        while (read(fd, buf, CHUNK) > 0) {
        }
    } else {
        fprintf(stderr, "usage: mptcp_peer sink ADDR PORT | source ADDR PORT SECONDS [MIN_BYTES]\n");
        return 2;
    }
    print_samples();
    close(fd);
    return 0;
}
