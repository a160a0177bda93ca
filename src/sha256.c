/* sha256.c — SHA-256 as specified in FIPS 180-4 (sections 4.1.2, 4.2.2,
 * 5.1.1, 5.3.3, 6.2), written from the standard. run.json records the
 * hashes of the data files, the experiment and the weights so that a run
 * can be matched to exactly what it read and wrote. */
#include "sha256.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The first 32 bits of the fractional parts of the cube roots of the first
 * 64 primes (FIPS 180-4 section 4.2.2). */
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

/* One 64-byte block into the state (section 6.2.2). Words are read
 * big-endian byte by byte, so the host's byte order does not matter. */
static void block_portable(uint32_t state[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
               (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int t = 0; t < 64; t++) {
        uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = h + S1 + ch + K[t] + w[t];
        uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = S0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SHA256_NI 1
#include <cpuid.h>
#include <immintrin.h>

/* The same blocks with the x86 SHA extensions (about 5x faster: a CSV
 * file is hashed as it is read). The state lives in two registers as the
 * instructions want it, ABEF and CDGH; each group of four rounds takes
 * four schedule words, W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) +
 * W[t-16] computed four at a time by sha256msg1/msg2. */
__attribute__((target("sha,sse4.1,ssse3"))) static void
blocks_ni(uint32_t state[8], const unsigned char *p, size_t count)
{
    /* Bytes of each 32-bit word reversed: the message is big-endian. */
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
    for (; count > 0; count--, p += 64) {
        const __m128i abef_in = abef, cdgh_in = cdgh;
        __m128i w[4]; /* the last four groups of schedule words, a ring */
        for (int g = 0; g < 16; g++) {
            __m128i words;
            if (g < 4) {
                words = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), swap);
            } else {
                __m128i t = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
                t = _mm_add_epi32(t, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
                words = _mm_sha256msg2_epu32(t, w[(g + 3) & 3]);
            }
            w[g & 3] = words;
            __m128i k = _mm_add_epi32(words, _mm_loadu_si128((const __m128i *)&K[4 * g]));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, k);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(k, 0x0E));
        }
        abef = _mm_add_epi32(abef, abef_in);
        cdgh = _mm_add_epi32(cdgh, cdgh_in);
    }
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

/* Whether this processor has the SHA extensions (and SSSE3, SSE4.1). */
static bool cpu_has_sha(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
        return false;
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}
#endif

/* -1: not decided yet; 0: portable; 1: SHA extensions. */
static int accelerated = -1;

bool sha256_set_accelerated(bool on)
{
#ifdef SHA256_NI
    accelerated = on && cpu_has_sha();
#else
    (void)on;
    accelerated = 0;
#endif
    return accelerated == 1;
}

/* count 64-byte blocks at p into the state. */
static void sha256_blocks(uint32_t state[8], const unsigned char *p, size_t count)
{
    if (accelerated < 0)
        sha256_set_accelerated(true);
#ifdef SHA256_NI
    if (accelerated == 1) {
        blocks_ni(state, p, count);
        return;
    }
#endif
    for (; count > 0; count--, p += 64)
        block_portable(state, p);
}

void sha256_init(LrSha256 *h)
{
    /* Fractional parts of the square roots of the first 8 primes (5.3.3). */
    static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(h->state, H0, sizeof H0);
    h->length = 0;
    h->used = 0;
}

void sha256_update(LrSha256 *h, const void *data, size_t size)
{
    const unsigned char *p = data;
    h->length += size;
    /* Top up a partly filled block first, then hash whole blocks straight
     * from the caller's memory, then keep the tail for later. */
    if (h->used > 0) {
        size_t take = 64 - h->used;
        if (take > size)
            take = size;
        memcpy(h->block + h->used, p, take);
        h->used += take;
        p += take;
        size -= take;
        if (h->used < 64)
            return;
        sha256_blocks(h->state, h->block, 1);
        h->used = 0;
    }
    sha256_blocks(h->state, p, size / 64);
    p += size / 64 * 64;
    size %= 64;
    if (size > 0) {
        memcpy(h->block, p, size);
        h->used = size;
    }
}

void sha256_final(LrSha256 *h, unsigned char digest[32])
{
    /* Padding (5.1.1): a 1 bit, zeros up to 56 mod 64 bytes, then the
     * message length in bits as a 64-bit big-endian number. */
    uint64_t bits = h->length * 8;
    h->block[h->used++] = 0x80;
    if (h->used > 56) {
        memset(h->block + h->used, 0, 64 - h->used);
        sha256_blocks(h->state, h->block, 1);
        h->used = 0;
    }
    memset(h->block + h->used, 0, 56 - h->used);
    for (int i = 0; i < 8; i++)
        h->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_blocks(h->state, h->block, 1);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (unsigned char)(h->state[i] >> 24);
        digest[4 * i + 1] = (unsigned char)(h->state[i] >> 16);
        digest[4 * i + 2] = (unsigned char)(h->state[i] >> 8);
        digest[4 * i + 3] = (unsigned char)h->state[i];
    }
    h->used = 0;
}

void sha256_digest_hex(const unsigned char digest[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}

void sha256_hex(const void *data, size_t size, char hex[65])
{
    LrSha256 h;
    unsigned char digest[32];
    sha256_init(&h);
    sha256_update(&h, data, size);
    sha256_final(&h, digest);
    sha256_digest_hex(digest, hex);
}

int sha256_file_hex(const char *path, char hex[65])
{
    /* Streamed, so that a large data file is hashed without holding it. */
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    LrSha256 h;
    unsigned char buf[65536];
    size_t n;
    sha256_init(&h);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&h, buf, n);
    if (ferror(f)) {
        int saved = errno ? errno : EIO;
        fclose(f);
        errno = saved;
        return -1;
    }
    fclose(f);
    unsigned char digest[32];
    sha256_final(&h, digest);
    sha256_digest_hex(digest, hex);
    return 0;
}
