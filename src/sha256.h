/* sha256.h — SHA-256 (FIPS 180-4), for run.json's hashes of data files,
 * the experiment and the final weights; nettle computes it (with the x86
 * SHA extensions where the processor has them). */
#ifndef LR_SHA256_H
#define LR_SHA256_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>
/* nettle's header spells its own functions sha256_init, sha256_update and
 * sha256_digest as macros for nettle_sha256_*; in lrc those names are the
 * functions below, so the macros go. */
#undef sha256_init
#undef sha256_update
#undef sha256_digest

typedef struct LrSha256 {
    struct sha256_ctx nettle;
} LrSha256;

void sha256_init(LrSha256 *h);
void sha256_update(LrSha256 *h, const void *data, size_t size);
/* Writes the 32-byte digest; h starts again as after sha256_init. */
void sha256_final(LrSha256 *h, unsigned char digest[32]);
/* A digest as 64 lowercase hex digits and a NUL. */
void sha256_digest_hex(const unsigned char digest[32], char hex[65]);
/* One-shot, as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t size, char hex[65]);
/* Hash of a whole file as hex. Returns -1 (errno set) if it cannot be read. */
int sha256_file_hex(const char *path, char hex[65]);

#endif
