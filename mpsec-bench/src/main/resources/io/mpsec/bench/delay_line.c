/*
 * A constant-delay line for the benchmarks' testbeds, which have no netem (PLATFORM.md): it creates
 * a TUN device, reads every IP packet the routing table sends into it, holds it for a fixed time and
 * writes it back into the same device, so the kernel forwards it on. Order is kept (one FIFO, one
 * delay). A packet that finds the FIFO full is dropped and counted.
 *
 *   delay_line DEVICE DELAY_US
 *
 * Prints "READY DEVICE" once the device exists, then on SIGTERM or SIGINT
 * "DONE packets=N dropped=N late_1ms=N late_max_us=N": how many writes came more than 1 ms after their
 * due time, and the latest one. Both threads run SCHED_FIFO when allowed.
 * Built by the benchmark with gcc -O2 -pthread; runs in a namespace as root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 16384 /* a power of two; 16384 x 1500 B = 196 Mbit: 100 ms at 1.9 Gbit/s */
#define SLOT_BYTES 2048

struct slot {
    uint64_t due_ns;
    uint32_t len;
    unsigned char data[SLOT_BYTES];
};

static struct slot *ring;
static _Atomic uint64_t head; /* next slot the writer sends */
static _Atomic uint64_t tail; /* next slot the reader fills */
static int fd;
static uint64_t delay_ns;
static _Atomic uint64_t packets, dropped, late_max_ns, late_1ms;
static volatile sig_atomic_t stop;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static void on_signal(int sig) {
    (void) sig;
    stop = 1;
}

static void *writer(void *arg) {
    (void) arg;
    while (!stop) {
        uint64_t h = atomic_load_explicit(&head, memory_order_relaxed);
        if (h == atomic_load_explicit(&tail, memory_order_acquire)) {
            struct timespec nap = {0, 50000}; /* idle: 50 us, a small fraction of any delay used */
            nanosleep(&nap, NULL);
            continue;
        }
        struct slot *s = &ring[h & (SLOTS - 1)];
        uint64_t t = now_ns();
        if (t < s->due_ns) {
            struct timespec due = {(time_t) (s->due_ns / 1000000000ull), (long) (s->due_ns % 1000000000ull)};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
            continue; /* re-check: a signal may have woken us early */
        }
        if (t - s->due_ns > 1000000ull) {
            atomic_fetch_add(&late_1ms, 1);
        }
        if (t - s->due_ns > atomic_load(&late_max_ns)) {
            atomic_store(&late_max_ns, t - s->due_ns);
        }
        if (write(fd, s->data, s->len) < 0 && errno != EINVAL) {
            /* the kernel refused the packet (for example no route): it is lost, as on a wire */
        }
        atomic_fetch_add(&packets, 1);
        atomic_store_explicit(&head, h + 1, memory_order_release);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: delay_line DEVICE DELAY_US\n");
        return 2;
    }
    delay_ns = strtoull(argv[2], NULL, 10) * 1000ull;
    ring = calloc(SLOTS, sizeof(struct slot));
    if (ring == NULL) {
        perror("calloc");
        return 1;
    }
    fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        perror("open /dev/net/tun (CONFIG_TUN)");
        return 1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    strncpy(ifr.ifr_name, argv[1], IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        perror("TUNSETIFF");
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* real-time priority, so busy senders and receivers on the same CPUs do not stretch the delay;
       both threads block when idle, so they cannot starve the machine */
    struct sched_param sp = {.sched_priority = 10};
    int realtime = sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
    /* the writer starts with SIGTERM and SIGINT blocked, so they reach this thread and interrupt its
       read(); the writer sees stop within one nap or one delay */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pthread_t w;
    if (pthread_create(&w, NULL, writer, NULL) != 0) {
        perror("pthread_create");
        return 1;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    printf("READY %s%s\n", ifr.ifr_name, realtime ? "" : " (not real-time)");
    fflush(stdout);
    while (!stop) {
        uint64_t t = atomic_load_explicit(&tail, memory_order_relaxed);
        if (t - atomic_load_explicit(&head, memory_order_acquire) >= SLOTS) {
            static unsigned char sink[SLOT_BYTES];
            if (read(fd, sink, sizeof sink) > 0) {
                atomic_fetch_add(&dropped, 1);
            }
            continue;
        }
        struct slot *s = &ring[t & (SLOTS - 1)];
        ssize_t n = read(fd, s->data, SLOT_BYTES);
        if (n <= 0) {
            continue; /* EINTR on stop, or nothing */
        }
        s->len = (uint32_t) n;
        s->due_ns = now_ns() + delay_ns;
        atomic_store_explicit(&tail, t + 1, memory_order_release);
    }
    pthread_join(w, NULL);
    printf("DONE packets=%llu dropped=%llu late_1ms=%llu late_max_us=%llu\n", (unsigned long long) packets,
            (unsigned long long) dropped, (unsigned long long) late_1ms, (unsigned long long) (late_max_ns / 1000));
    return 0;
}
