/*
 * An independent cross-check of the `read` benchmark: the same instruction
 * sequences, written again in GNU C inline asm, timed the same way
 * (rdtsc ... rdtscp around a loop unrolled 16 and 32 times, each the fastest
 * of five rounds, the difference divided by 16; results folded into one
 * accumulator), median of 101 runs. Prints "strategy ticks".
 * Built and compared by scripts/cross-check.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct { volatile uint32_t low, high; } __attribute__((aligned(8))) pte_t;

static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rdtscp(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi) : : "ecx");
    return (uint64_t)hi << 32 | lo;
}

#define LOWHIGH(BARRIER)                                                      \
    static inline uint32_t read_lowhigh_##BARRIER(pte_t *p) {                 \
        uint32_t lo, hi;                                                      \
        __asm__ volatile("2: movl (%2), %0\n" BARRIER_##BARRIER               \
                         "movl 4(%2), %1\n" BARRIER_##BARRIER                 \
                         "cmpl (%2), %0\n jne 2b"                             \
                         : "=&r"(lo), "=&r"(hi) : "r"(p) : "cc", "memory");   \
        return lo ^ hi;                                                       \
    }
#define BARRIER_none ""
#define BARRIER_lfence "lfence\n"
#ifdef __x86_64__
#define BARRIER_lockadd "lock addl $0, -4(%%rsp)\n"
#else
#define BARRIER_lockadd "lock addl $0, -4(%%esp)\n"
#endif
LOWHIGH(none)
LOWHIGH(lfence)
LOWHIGH(lockadd)

static inline uint32_t read_split(pte_t *p) {
    uint32_t lo, hi;
    __asm__ volatile("movl (%2), %0\n movl 4(%2), %1" : "=&r"(lo), "=r"(hi) : "r"(p) : "memory");
    return lo ^ hi;
}

static inline uint32_t read_cmpxchg8b(pte_t *p) {
    uint32_t lo, hi;
    __asm__ volatile("movl %%ebx, %%eax\n movl %%ecx, %%edx\n lock cmpxchg8b (%2)"
                     : "=&a"(lo), "=&d"(hi) : "D"(p) : "cc", "memory");
    return lo ^ hi;
}

static inline uint32_t read_movq_sse2(pte_t *p) {
    uint32_t lo, hi;
    __asm__ volatile("movq (%2), %%xmm0\n movd %%xmm0, %0\n psrlq $32, %%xmm0\n movd %%xmm0, %1"
                     : "=r"(lo), "=r"(hi) : "r"(p) : "xmm0", "memory");
    return lo ^ hi;
}

static inline uint32_t read_fild(pte_t *p) {
    uint32_t buf[2] __attribute__((aligned(8)));
    __asm__ volatile("fildll (%1)\n fistpll (%0)" : : "r"(buf), "r"(p) : "st", "memory");
    return buf[0] ^ buf[1];
}

/* Fold each read into acc before the next starts, as the Rust loop's data
 * flow does; without it GCC keeps 16 results live and spills them. */
#define KEEP(x) __asm__ volatile("" : "+r"(x))

#define BENCH(NAME, READ)                                                     \
    static uint64_t loop_##NAME(pte_t *p, int unroll, long iters) {           \
        uint32_t acc = 0;                                                     \
        uint64_t start = rdtsc();                                             \
        if (unroll == 16) {                                                   \
            for (long i = 0; i < iters; i++) {                                \
                _Pragma("GCC unroll 16") for (int j = 0; j < 16; j++) { acc += READ(p); KEEP(acc); } \
            }                                                                 \
        } else {                                                              \
            for (long i = 0; i < iters; i++) {                                \
                _Pragma("GCC unroll 32") for (int j = 0; j < 32; j++) { acc += READ(p); KEEP(acc); } \
            }                                                                 \
        }                                                                     \
        uint64_t end = rdtscp();                                              \
        __asm__ volatile("" : : "r"(acc));                                    \
        return end - start;                                                   \
    }
BENCH(split, read_split)
BENCH(lowhigh, read_lowhigh_none)
BENCH(lowhigh_lfence, read_lowhigh_lfence)
BENCH(lowhigh_lockadd, read_lowhigh_lockadd)
BENCH(cmpxchg8b, read_cmpxchg8b)
BENCH(movq_sse2, read_movq_sse2)
BENCH(fild, read_fild)

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define RUNS 101
#define ROUNDS 5
#define ITERS 20000L
#define MEASURE(NAME, LABEL)                                                  \
    do {                                                                      \
        double per_read[RUNS];                                                \
        for (int r = 0; r < RUNS; r++) {                                      \
            uint64_t s = UINT64_MAX, l = UINT64_MAX;                          \
            for (int k = 0; k < ROUNDS; k++) {                                \
                uint64_t t = loop_##NAME(&pte, 16, ITERS / ROUNDS);           \
                s = t < s ? t : s;                                            \
                t = loop_##NAME(&pte, 32, ITERS / ROUNDS);                    \
                l = t < l ? t : l;                                            \
            }                                                                 \
            per_read[r] = ((double)l - (double)s) / (16.0 * (ITERS / ROUNDS)); \
        }                                                                     \
        qsort(per_read, RUNS, sizeof(double), compare);                       \
        printf("%s %.3f\n", LABEL, per_read[RUNS / 2]);                       \
    } while (0)

int main(void) {
    static pte_t pte = {0x00010067, 0x00010002};
    MEASURE(split, "split");
    MEASURE(lowhigh, "lowhigh");
    MEASURE(lowhigh_lfence, "lowhigh-lfence");
    MEASURE(lowhigh_lockadd, "lowhigh-lockadd");
    MEASURE(cmpxchg8b, "cmpxchg8b");
    MEASURE(movq_sse2, "movq-sse2");
    MEASURE(fild, "fild");
    return 0;
}
