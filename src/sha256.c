/* sha256.c — SHA-256 through nettle's sha256_ctx. run.json records the
 * hashes of the data files, the experiment and the weights so that a run
 * can be matched to exactly what it read and wrote. */
#include "sha256.h"

#include <errno.h>
#include <stdio.h>

void sha256_init(LrSha256 *h)
{
    nettle_sha256_init(&h->nettle);
}

void sha256_update(LrSha256 *h, const void *data, size_t size)
{
    nettle_sha256_update(&h->nettle, size, data);
}

void sha256_final(LrSha256 *h, unsigned char digest[32])
{
    nettle_sha256_digest(&h->nettle, SHA256_DIGEST_SIZE, digest);
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
