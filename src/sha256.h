/* sha256.h — SHA-256 (FIPS 180-4), for run.json's hashes of data files,
 * the experiment and the final weights. */
#ifndef LR_SHA256_H
#define LR_SHA256_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct LrSha256 {
    uint32_t state[8];
    uint64_t length;       /* bytes hashed so far */
    unsigned char block[64];
    size_t used;
} LrSha256;

void sha256_init(LrSha256 *h);
void sha256_update(LrSha256 *h, const void *data, size_t size);
/* Writes the 32-byte digest. */
void sha256_final(LrSha256 *h, unsigned char digest[32]);
/* A digest as 64 lowercase hex digits and a NUL. */
void sha256_digest_hex(const unsigned char digest[32], char hex[65]);
/* One-shot, as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t size, char hex[65]);
/* Chooses the x86 SHA extensions (on, the default where the processor
 * has them) or the portable code (tests compare the two). Returns whether
 * the extensions are in use. */
bool sha256_set_accelerated(bool on);
/* Hash of a whole file as hex. Returns -1 (errno set) if it cannot be read. */
int sha256_file_hex(const char *path, char hex[65]);

#endif
