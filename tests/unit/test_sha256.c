/* test_sha256.c — SHA-256 against the FIPS 180-4 / NIST example vectors
 * ("abc", the 448- and 896-bit messages, one million 'a'), against Python's
 * hashlib at the padding boundaries (55, 56, 63, 64, 65, 119, 120 bytes),
 * incremental updates split at every offset, a megabyte in uneven pieces,
 * and hashing a file. The code under test is nettle's, behind sha256.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sha256.h"

static void hex_of(const unsigned char digest[32], char hex[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

/* The 130-byte message of the boundary and split tests. */
static void make_message(unsigned char m[130])
{
    for (int i = 0; i < 130; i++)
        m[i] = (unsigned char)((i * 7 + 3) & 0xff);
}

static void test_sha256__nist_vectors(void **state)
{
    (void)state;
    char hex[65];
    sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex(m448, strlen(m448), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    sha256_hex(m896, strlen(m896), hex);
    assert_string_equal(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_sha256__million_a(void **state)
{
    (void)state;
    char *a = malloc(1000000);
    assert_non_null(a);
    memset(a, 'a', 1000000);
    char hex[65];
    sha256_hex(a, 1000000, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* The same in uneven pieces, as a stream would deliver it. */
    LrSha256 h;
    unsigned char digest[32];
    sha256_init(&h);
    for (size_t at = 0, step = 1; at < 1000000; at += step, step = step * 3 % 1021 + 1)
        sha256_update(&h, a + at, at + step <= 1000000 ? step : 1000000 - at);
    sha256_final(&h, digest);
    hex_of(digest, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

static void test_sha256__padding_boundaries(void **state)
{
    (void)state;
    /* Values from Python's hashlib.sha256. */
    static const struct {
        size_t n;
        const char *hex;
    } want[] = {
        {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
        {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
        {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
        {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
        {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
        {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
        {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
        {130, "4d5e47a2e8510a314576c238f6ff19d389d3ef3aaaca8b2e530263a5d15741da"},
    };
    unsigned char m[130];
    make_message(m);
    char hex[65];
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        sha256_hex(m, want[i].n, hex);
        assert_string_equal(hex, want[i].hex);
    }
}

static void test_sha256__split_updates_match_one_shot(void **state)
{
    (void)state;
    unsigned char m[130], whole[32];
    make_message(m);
    LrSha256 h;
    sha256_init(&h);
    sha256_update(&h, m, sizeof m);
    sha256_final(&h, whole);
    for (size_t cut = 0; cut <= sizeof m; cut++) {
        unsigned char digest[32];
        sha256_init(&h);
        sha256_update(&h, m, cut);
        sha256_update(&h, m + cut, sizeof m - cut);
        sha256_final(&h, digest);
        assert_memory_equal(digest, whole, 32);
        /* And in three pieces, the middle one possibly empty. */
        size_t cut2 = cut + (sizeof m - cut) / 2;
        sha256_init(&h);
        sha256_update(&h, m, cut);
        sha256_update(&h, m + cut, cut2 - cut);
        sha256_update(&h, m + cut2, sizeof m - cut2);
        sha256_final(&h, digest);
        assert_memory_equal(digest, whole, 32);
    }
}

static void test_sha256__file(void **state)
{
    (void)state;
    char path[] = "/tmp/test_sha256_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "abc", 3), 3);
    close(fd);
    char hex[65];
    assert_int_equal(sha256_file_hex(path, hex), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    /* Larger than the read buffer, so that it is hashed in pieces. */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 1000000; i++)
        fputc('a', f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(sha256_file_hex(path, hex), 0);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    unlink(path);

    assert_int_equal(sha256_file_hex(path, hex), -1);
    assert_int_equal(sha256_file_hex("/tmp", hex), -1); /* a directory */
}

/* A megabyte fed in uneven pieces, against Python's hashlib.sha256 of the
 * same bytes; after sha256_final the context hashes a new message. */
static void test_sha256__uneven_pieces_and_reuse(void **state)
{
    (void)state;
    static unsigned char data[1 << 20];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof data; i++) {
        x = x * 1664525u + 1013904223u;
        data[i] = (unsigned char)(x >> 24);
    }
    LrSha256 h;
    unsigned char digest[32];
    char hex[65];
    sha256_init(&h);
    for (size_t at = 0, piece = 1; at < sizeof data; at += piece, piece = piece * 7 % 4099 + 1)
        sha256_update(&h, data + at, piece < sizeof data - at ? piece : sizeof data - at);
    sha256_final(&h, digest);
    hex_of(digest, hex);
    assert_string_equal(hex, "409d04e78f7265434f52d8398c0f67ce71ba48c7d9f0f72eb060c4a1c20ec875");
    sha256_update(&h, "abc", 3);
    sha256_final(&h, digest);
    hex_of(digest, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256__nist_vectors),
        cmocka_unit_test(test_sha256__million_a),
        cmocka_unit_test(test_sha256__padding_boundaries),
        cmocka_unit_test(test_sha256__split_updates_match_one_shot),
        cmocka_unit_test(test_sha256__file),
        cmocka_unit_test(test_sha256__uneven_pieces_and_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
