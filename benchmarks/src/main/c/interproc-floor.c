/*
 * The hardware's floors for the benchmark report, in C so that no JVM stands between the
 * measurement and the machine:
 *
 *   interproc-floor ring LENGTH SECONDS    an SPSC ring between two processes (fork), 1 MiB of
 *                                          shared anonymous memory, records of an 8-byte header
 *                                          and LENGTH bytes; the consumer reads each record's
 *                                          first 8 bytes and frees space in batches of up to 256,
 *                                          as the JVM rings' consumers do. Prints messages/s.
 *   interproc-floor memcpy LENGTH SECONDS  one thread copying LENGTH-byte messages into
 *                                          successive places of a 1 MiB buffer. Prints messages/s.
 *
 * Output: one line, "throughput <messages per second>". CPU pinning as the JVM benchmarks do it:
 * INTERPROC_BENCH_CPUS=A,B pins the producer (or the copying thread) to A and the consumer to B.
 * Built by the benchmarks module's build when a C compiler is present (target/native/).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CAPACITY (1u << 20)
#define BATCH 256
#define PAD 0xffffffffu

struct shared {
    _Alignas(128) uint64_t tail;     /* producer's position, release-stored after the record */
    _Alignas(128) uint64_t head;     /* consumer's position, release-stored after a batch */
    _Alignas(128) uint32_t stop;     /* producer done: the consumer exits */
    _Alignas(128) uint64_t consumed; /* the consumer's checksum, so its reads are not optimized away */
    _Alignas(128) unsigned char data[CAPACITY];
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void pin(int role) {
    const char *list = getenv("INTERPROC_BENCH_CPUS");
    if (list == NULL || *list == '\0') {
        return;
    }
    int cpus[64], n = 0;
    for (const char *p = list; *p && n < 64;) {
        cpus[n++] = atoi(p);
        while (*p && *p != ',') p++;
        if (*p == ',') p++;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(role == 0 || n == 1 ? cpus[0] : cpus[1], &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        perror("sched_setaffinity (INTERPROC_BENCH_CPUS)");
        exit(2);
    }
}

static uint32_t record_size(uint32_t length) {
    return (8 + length + 7) & ~7u;
}

static void consume(struct shared *s) {
    pin(1);
    uint64_t head = s->head, sum = 0;
    for (;;) {
        uint64_t tail = __atomic_load_n(&s->tail, __ATOMIC_ACQUIRE);
        if (tail == head) {
            if (__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
                break;
            }
            __builtin_ia32_pause();
            continue;
        }
        for (int n = 0; n < BATCH && head != tail; n++) {
            unsigned char *record = s->data + (head & (CAPACITY - 1));
            uint32_t length;
            memcpy(&length, record, 4);
            if (length == PAD) {
                head += CAPACITY - (head & (CAPACITY - 1));
                continue;
            }
            uint64_t value;
            memcpy(&value, record + 8, 8);
            sum += value;
            head += record_size(length);
        }
        __atomic_store_n(&s->head, head, __ATOMIC_RELEASE);
    }
    s->consumed = sum;
}

static double ring(uint32_t length, double seconds) {
    struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    memset(s, 0, sizeof *s);
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        exit(2);
    }
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a producer killed at its deadline takes its consumer along */
        if (getppid() == 1) {
            _exit(0);
        }
        consume(s);
        _exit(0);
    }
    pin(0);
    unsigned char message[4096] = {0};
    uint32_t size = record_size(length);
    uint64_t tail = 0, head = 0, sent = 0, counted = 0;
    double start = now(), measuring = start + seconds / 4, end = measuring + seconds;
    for (;;) {
        uint64_t index = tail & (CAPACITY - 1);
        uint32_t need = index + size > CAPACITY ? (uint32_t) (CAPACITY - index) + size : size;
        if (tail + need - head > CAPACITY) {
            head = __atomic_load_n(&s->head, __ATOMIC_ACQUIRE);
            if (tail + need - head > CAPACITY) {
                __builtin_ia32_pause();
                continue;
            }
        }
        if (index + size > CAPACITY) {
            uint32_t pad = PAD;
            memcpy(s->data + index, &pad, 4);
            tail += CAPACITY - index;
            index = 0;
        }
        unsigned char *record = s->data + index;
        memcpy(message, &sent, 8);
        memcpy(record, &length, 4);
        memcpy(record + 8, message, length);
        tail += size;
        __atomic_store_n(&s->tail, tail, __ATOMIC_RELEASE);
        sent++;
        if ((sent & 1023) == 0) {
            double t = now();
            if (counted == 0 && t >= measuring) {
                counted = sent;
                start = t;
            } else if (counted != 0 && t >= end) {
                __atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
                waitpid(child, NULL, 0);
                return (sent - counted) / (t - start);
            }
        }
    }
}

static double copy(uint32_t length, double seconds) {
    unsigned char *buffer = malloc(CAPACITY), message[4096];
    memset(buffer, 0, CAPACITY);
    memset(message, 1, sizeof message);
    pin(0);
    uint64_t at = 0, copied = 0, counted = 0;
    double start = now(), measuring = start + seconds / 4, end = measuring + seconds;
    for (;;) {
        if (at + length > CAPACITY) {
            at = 0;
        }
        memcpy(message, &copied, 8);
        memcpy(buffer + at, message, length);
        __asm__ volatile("" : : "r"(buffer) : "memory"); /* the copy is observable: not optimized away */
        at += (length + 7) & ~7u;
        copied++;
        if ((copied & 1023) == 0) {
            double t = now();
            if (counted == 0 && t >= measuring) {
                counted = copied;
                start = t;
            } else if (counted != 0 && t >= end) {
                return (copied - counted) / (t - start);
            }
        }
    }
}

int main(int argc, char **argv) {
    if (argc != 4 || (strcmp(argv[1], "ring") != 0 && strcmp(argv[1], "memcpy") != 0)) {
        fprintf(stderr, "usage: %s ring|memcpy LENGTH SECONDS\n", argv[0]);
        return 2;
    }
    long length = atol(argv[2]);
    double seconds = atof(argv[3]);
    if (length < 8 || length > 4096 || seconds <= 0) {
        fprintf(stderr, "LENGTH must be 8..4096 and SECONDS > 0, got %s and %s\n", argv[2], argv[3]);
        return 2;
    }
    double rate = strcmp(argv[1], "ring") == 0 ? ring((uint32_t) length, seconds) : copy((uint32_t) length, seconds);
    printf("throughput %.0f\n", rate);
    return 0;
}
