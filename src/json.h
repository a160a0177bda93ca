/* json.h — just enough JSON: a writer that escapes strings properly and
 * prints numbers so that they read back exactly, and a strict RFC 8259
 * reader (jansson underneath) that builds a plain value tree. */
#ifndef LR_JSON_H
#define LR_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fileio.h"

/* --- writer: appends to a buffer; commas and nesting are tracked --------- */
/* Start from {.out = &buffer, .indent = n}. Nesting deeper than 31 levels
 * sets out->failed. */
typedef struct LrJsonWriter {
    LrBuffer *out;
    int depth;
    bool need_comma[32];
    int indent; /* spaces per level; 0 = compact */
    bool after_key; /* json_key was just written: no comma or newline next */
} LrJsonWriter;

void json_begin_object(LrJsonWriter *w);
void json_end_object(LrJsonWriter *w);
void json_begin_array(LrJsonWriter *w);
void json_end_array(LrJsonWriter *w);
/* The key of the next value inside an object. */
void json_key(LrJsonWriter *w, const char *key);
void json_write_string(LrJsonWriter *w, const char *s);
void json_write_string_n(LrJsonWriter *w, const char *s, size_t n);
/* Shortest form that reads back to the same double (decimal_shortest);
 * non-finite numbers are written as null. */
void json_write_number(LrJsonWriter *w, double v);
void json_write_integer(LrJsonWriter *w, int64_t v);
void json_write_bool(LrJsonWriter *w, bool v);
void json_write_null(LrJsonWriter *w);

/* --- reader: a parsed value tree, allocated in one block ---------------- */
typedef enum LrJsonKind { LR_JSON_NULL, LR_JSON_BOOL, LR_JSON_NUMBER, LR_JSON_STRING, LR_JSON_ARRAY, LR_JSON_OBJECT } LrJsonKind;

typedef struct LrJson LrJson;
struct LrJson {
    LrJsonKind kind;
    double number;       /* NUMBER (nearest double); BOOL as 0/1 */
    int64_t integer;     /* NUMBER when is_integer: the exact value */
    bool is_integer;     /* NUMBER written without '.' or exponent, fits int64 */
    char *string;        /* STRING (decoded UTF-8, NUL-terminated) */
    LrJson *first, *next; /* ARRAY/OBJECT children; sibling chain */
    char *key;           /* set on object members */
    int count;           /* ARRAY/OBJECT: children */
};

/* Parses text[0..size) with jansson (at most depth 64 and 128 MiB).
 * Returns the root, or NULL with a reason ("offset 17: ':' expected near
 * '1'"; the offset is jansson's, where it stopped reading). Strict RFC
 * 8259: no trailing commas, leading zeros, invalid escapes, lone
 * surrogates or invalid UTF-8; duplicate keys are refused; "\u0000" is
 * refused because strings are NUL-terminated; numbers beyond the double
 * range and integers beyond int64 are refused. json_free releases the
 * tree, which is one allocation. */
LrJson *json_parse(const char *text, size_t size, char *why, size_t why_size);
/* The member named key of an object, or NULL. */
const LrJson *json_get(const LrJson *object, const char *key);
void json_free(LrJson *root);

#endif
