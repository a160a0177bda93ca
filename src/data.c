/* data.c — see data.h. A dataset is loaded once, before training: read
 * from CSV (through csv.c) or generated (synth.c), then split into its
 * parts and, by the caller, normalized with statistics of the training
 * part. */
#include "data.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "decimal.h"
#include "rng.h"
#include "sha256.h"
#include "synth.h"

/* a * b * c without overflowing size_t; false when it would. */
static bool size_mul(size_t a, size_t b, size_t c, size_t *out)
{
    if (b && a > SIZE_MAX / b)
        return false;
    if (c && a * b > SIZE_MAX / c)
        return false;
    *out = a * b * c;
    return true;
}

static void out_of_memory(const LrDatasetSpec *spec, const LrSource *src, LrDiag *diag)
{
    if (spec->name && spec->name[0])
        diag_error(diag, src, spec->span, "out of memory loading dataset '%s'", spec->name);
    else
        diag_error(diag, src, spec->span, "out of memory loading the dataset");
}

/* ---- columns ----------------------------------------------------------------- */

/* The names of a file's columns: its header's (without surrounding spaces),
 * or "1", "2", ... without a header. */
typedef struct Columns {
    int count;
    const char **names; /* count + 1, NULL-terminated for diag_suggest */
    char *storage;
} Columns;

static void columns_free(Columns *c)
{
    free(c->names);
    free(c->storage);
    memset(c, 0, sizeof *c);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int columns_from_record(Columns *c, const LrCsvReader *r, bool header)
{
    memset(c, 0, sizeof *c);
    c->count = r->field_count;
    size_t total = 0;
    for (int i = 0; i < c->count; i++) {
        size_t len;
        csv_field(r, i, &len);
        total += header ? len + 1 : 12;
    }
    c->names = malloc(((size_t)c->count + 1) * sizeof *c->names);
    c->storage = malloc(total ? total : 1);
    if (!c->names || !c->storage) {
        columns_free(c);
        return -1;
    }
    char *p = c->storage;
    for (int i = 0; i < c->count; i++) {
        c->names[i] = p;
        if (header) {
            size_t len;
            const char *s = csv_field(r, i, &len);
            while (len > 0 && is_blank(*s))
                s++, len--;
            while (len > 0 && is_blank(s[len - 1]))
                len--;
            memcpy(p, s, len);
            p[len] = '\0';
            p += len + 1;
        } else {
            p += sprintf(p, "%d", i + 1) + 1;
        }
    }
    c->names[c->count] = NULL;
    return 0;
}

/* The column list for an error message, or how many there are when the
 * list would be long. */
static void describe_columns(const Columns *c, const LrDatasetSpec *spec, char *buf, size_t size)
{
    if (!spec->header) {
        snprintf(buf, size, "'%s' has no header: its columns are numbered 1 to %d", spec->path,
                 c->count);
        return;
    }
    size_t used = (size_t)snprintf(buf, size, "the columns of '%s' are ", spec->path);
    for (int i = 0; i < c->count && used < size; i++) {
        if (used + strlen(c->names[i]) + 8 > 200) {
            snprintf(buf, size, "'%s' has %d columns", spec->path, c->count);
            return;
        }
        used += (size_t)snprintf(buf + used, size - used, "%s'%s'", i ? ", " : "", c->names[i]);
    }
}

/* Index of column name; reports an unknown or ambiguous name at span.
 * Returns the index, or -1. */
static int find_column(const Columns *c, const LrDatasetSpec *spec, const char *name, LrSpan span,
                       const LrSource *src, LrDiag *diag)
{
    int found = -1, matches = 0;
    for (int i = 0; i < c->count; i++) {
        if (strcmp(c->names[i], name) == 0) {
            if (found < 0)
                found = i;
            matches++;
        }
    }
    if (matches == 1)
        return found;
    if (matches > 1) {
        diag_error(diag, src, span, "column '%s' appears %d times in the header of '%s'", name,
                   matches, spec->path);
        return -1;
    }
    const char *near = diag_suggest(name, strlen(name), c->names);
    if (near) {
        diag_error(diag, src, span, "unknown column '%s'; did you mean '%s'?", name, near);
    } else {
        char list[256];
        describe_columns(c, spec, list, sizeof list);
        diag_error(diag, src, span, "unknown column '%s' (%s)", name, list);
    }
    return -1;
}

/* Resolves label(s)= and features= against the file's columns (rule: every
 * name is a column, none twice, none both label and feature, at least one
 * feature). label has spec->label_count entries; feature gets the feature
 * columns in order (room for c->count) and *feature_count their number.
 * Returns 0, or 2 after reporting. */
/* Where the i-th name of a list is written, or the whole list. */
static LrSpan name_span(const LrSpan *spans, int i, LrSpan list)
{
    return spans ? spans[i] : list;
}

static int resolve_columns(const LrDatasetSpec *spec, const Columns *c, const LrSource *src,
                           LrDiag *diag, int *label, int *feature, int *feature_count)
{
    int bad = 0;
    for (int i = 0; i < spec->label_count; i++) {
        LrSpan at = name_span(spec->label_spans, i, spec->label_span);
        label[i] = find_column(c, spec, spec->labels[i], at, src, diag);
        if (label[i] < 0) {
            bad = 1;
            continue;
        }
        for (int k = 0; k < i; k++) {
            if (label[k] == label[i]) {
                diag_error(diag, src, at, "column '%s' is a label twice",
                           spec->labels[i]);
                bad = 1;
                label[i] = -1;
                break;
            }
        }
    }
    int nf = 0;
    if (spec->feature_count > 0) {
        for (int i = 0; i < spec->feature_count; i++) {
            LrSpan at = name_span(spec->feature_spans, i, spec->features_span);
            int col = find_column(c, spec, spec->feature_names[i], at, src, diag);
            if (col < 0) {
                bad = 1;
                continue;
            }
            bool dup = false;
            for (int k = 0; k < spec->label_count && !dup; k++) {
                if (label[k] == col) {
                    diag_error(diag, src, at, "column '%s' is both a label and a feature",
                               spec->feature_names[i]);
                    dup = true;
                }
            }
            for (int k = 0; k < nf && !dup; k++) {
                if (feature[k] == col) {
                    diag_error(diag, src, at, "column '%s' is a feature twice",
                               spec->feature_names[i]);
                    dup = true;
                }
            }
            if (dup) {
                bad = 1;
                continue;
            }
            feature[nf++] = col;
        }
    } else if (!bad) {
        for (int col = 0; col < c->count; col++) {
            bool is_label = false;
            for (int k = 0; k < spec->label_count; k++)
                is_label = is_label || label[k] == col;
            if (!is_label)
                feature[nf++] = col;
        }
        if (nf == 0) {
            diag_error(diag, src, spec->label_span,
                       "no feature columns: every column of '%s' is a label", spec->path);
            bad = 1;
        }
    }
    *feature_count = nf;
    return bad ? 2 : 0;
}

/* ---- values ------------------------------------------------------------------ */

LrValueError data_parse_value(const char *s, size_t len, float *out)
{
    size_t a = 0, b = len;
    while (a < b && is_blank(s[a]))
        a++;
    while (b > a && is_blank(s[b - 1]))
        b--;
    if (a == b)
        return VALUE_MISSING;
    double v;
    if (!decimal_fast(s + a, b - a, &v)) {
        char *end;
        errno = 0;
        v = strtod(s + a, &end);
        if (end != s + b)
            return VALUE_NOT_NUMBER;
        if (errno == ERANGE && fabs(v) > 1.0)
            return VALUE_RANGE;
    }
    if (!isfinite(v))
        return VALUE_NOT_FINITE;
    if (fabs(v) > FLT_MAX)
        return VALUE_RANGE;
    *out = (float)v;
    return VALUE_OK;
}

/* Reads field col of the current record into *out; reports a bad value at
 * its line and column. Returns 0 or -1. */
static int read_value(const LrCsvReader *r, const Columns *c, int col, float *out, LrDiag *diag)
{
    size_t len;
    const char *s = csv_field(r, col, &len);
    LrValueError e = data_parse_value(s, len, out);
    if (e == VALUE_OK)
        return 0;
    data_value_error(diag, r->name, csv_line_int(r->field_line[col]), col + 1, c->names[col], s,
                     len, e);
    return -1;
}

void data_value_error(LrDiag *diag, const char *file, int line, int col, const char *name,
                      const char *s, size_t len, LrValueError e)
{
    /* The value as shown: trimmed, and cut at 40 bytes. */
    while (len > 0 && is_blank(*s))
        s++, len--;
    while (len > 0 && is_blank(s[len - 1]))
        len--;
    int shown = len > 40 ? 37 : (int)len;
    const char *more = len > 40 ? "..." : "";
    switch (e) {
    case VALUE_MISSING:
        diag_file_error(diag, file, line, col, "missing value in column '%s'", name);
        break;
    case VALUE_NOT_NUMBER:
        diag_file_error(diag, file, line, col, "non-numeric value '%.*s%s' in column '%s'",
                        shown, s, more, name);
        break;
    case VALUE_NOT_FINITE:
        diag_file_error(diag, file, line, col, "non-finite value '%.*s%s' in column '%s'",
                        shown, s, more, name);
        break;
    default:
        diag_file_error(diag, file, line, col,
                        "value '%.*s%s' in column '%s' is out of range for a float", shown, s,
                        more, name);
        break;
    }
}

/* ---- CSV --------------------------------------------------------------------- */

/* Grows x and y to hold at least `need` rows. */
static int grow_rows(LrDataset *d, int64_t *cap, int64_t need)
{
    if (need <= *cap)
        return 0;
    int64_t rows = *cap ? *cap : 1024;
    while (rows < need)
        rows *= 2;
    size_t xb, yb;
    if (!size_mul((size_t)rows, (size_t)d->features, sizeof(float), &xb) ||
        !size_mul((size_t)rows, (size_t)d->targets, sizeof(float), &yb))
        return -1;
    float *x = realloc(d->x, xb);
    if (!x)
        return -1;
    d->x = x;
    float *y = realloc(d->y, yb);
    if (!y)
        return -1;
    d->y = y;
    *cap = rows;
    return 0;
}

/* The feature names as one allocation: pointers, then the strings. */
static int copy_feature_names(LrDataset *d, const Columns *c, const int *feature)
{
    size_t total = ((size_t)d->features + 1) * sizeof(char *);
    for (int j = 0; j < d->features; j++)
        total += strlen(c->names[feature[j]]) + 1;
    char **names = malloc(total);
    if (!names)
        return -1;
    char *p = (char *)(names + d->features + 1);
    for (int j = 0; j < d->features; j++) {
        size_t len = strlen(c->names[feature[j]]);
        memcpy(p, c->names[feature[j]], len + 1);
        names[j] = p;
        p += len + 1;
    }
    names[d->features] = NULL;
    d->feature_names = (const char *const *)names;
    return 0;
}

/* Reads a CSV dataset into out (n, features, targets, x, y, sha256,
 * feature_names), unsplit. With header_only, stops after validating the
 * column names. The file's bytes are hashed as they are parsed, so the hash
 * is of exactly what was read. */
static LrStatus load_csv(const LrDatasetSpec *spec, const LrSource *src, LrDiag *diag,
                         bool header_only, LrDataset *out)
{
    const char *path = spec->resolved_path ? spec->resolved_path : spec->path;
    char delimiter = spec->delimiter ? spec->delimiter : ',';
    LrSha256 hash;
    sha256_init(&hash);
    LrCsvReader r;
    char why[256];
    /* What is wrong with the data is found before the first step: status 2,
     * as `lrc check` says of the header. A file that the check could open
     * and the run cannot (it changed meanwhile, or the kernel refuses it)
     * and memory fail the run. */
    if (csv_open(&r, path, spec->path, delimiter, header_only ? NULL : &hash, diag, why,
                 sizeof why) < 0) {
        diag_error(diag, src, spec->span, "cannot read data file '%s': %s", spec->path, why);
        return status_of(header_only ? LR_LANGUAGE_ERROR : LR_RUN_FAILED);
    }
    Columns cols = {0};
    int *label = NULL, *feature = NULL;
    LrStatus status = status_of(LR_LANGUAGE_ERROR);
    int rc = csv_next(&r);
    if (rc == 0)
        diag_file_error(diag, spec->path, 1, 0, "no data rows");
    if (rc <= 0)
        goto done;
    if (columns_from_record(&cols, &r, spec->header) < 0 ||
        !(label = malloc((size_t)(spec->label_count > 0 ? spec->label_count : 1) * sizeof *label)) ||
        !(feature = malloc((size_t)cols.count * sizeof *feature))) {
        out_of_memory(spec, src, diag);
        status = status_of(LR_RUN_FAILED);
        goto done;
    }
    int nf;
    if (resolve_columns(spec, &cols, src, diag, label, feature, &nf) != 0)
        goto done;
    if (header_only) {
        out->features = nf;
        out->targets = spec->label_count;
        /* A row has at least one byte per field, a delimiter or newline
         * after each. */
        out->n = r.size < 0 ? INT64_MAX : r.size / (2 * (int64_t)cols.count) + 1;
        status = status_of(LR_OK);
        goto done;
    }
    out->features = nf;
    out->targets = spec->label_count;
    if (spec->header)
        rc = csv_next(&r);
    int64_t cap = 0, n = 0;
    for (; rc == 1; rc = csv_next(&r), n++) {
        if (r.field_count != cols.count) {
            diag_file_error(diag, spec->path, csv_line_int(r.record_line), 0,
                            "row has %d field%s but the %s has %d", r.field_count,
                            r.field_count == 1 ? "" : "s", spec->header ? "header" : "first row",
                            cols.count);
            goto done;
        }
        if (grow_rows(out, &cap, n + 1) < 0) {
            out_of_memory(spec, src, diag);
            status = status_of(LR_RUN_FAILED);
            goto done;
        }
        float *xr = out->x + (size_t)n * (size_t)nf;
        float *yr = out->y + (size_t)n * (size_t)out->targets;
        for (int j = 0; j < nf; j++)
            if (read_value(&r, &cols, feature[j], &xr[j], diag) < 0)
                goto done;
        for (int j = 0; j < out->targets; j++)
            if (read_value(&r, &cols, label[j], &yr[j], diag) < 0)
                goto done;
    }
    if (rc < 0)
        goto done;
    if (n == 0) {
        diag_file_error(diag, spec->path, 1, 0, "no data rows");
        goto done;
    }
    out->n = n;
    if (copy_feature_names(out, &cols, feature) < 0) {
        out_of_memory(spec, src, diag);
        status = status_of(LR_RUN_FAILED);
        goto done;
    }
    unsigned char digest[32];
    sha256_final(&hash, digest);
    sha256_digest_hex(digest, out->sha256);
    status = status_of(LR_OK);
done:
    free(label);
    free(feature);
    columns_free(&cols);
    csv_close(&r);
    return status;
}

LrStatus data_check_columns(const LrDatasetSpec *spec, const LrSource *src, LrDiag *diag,
                            LrDataShape *shape)
{
    LrDataShape found = {spec->kind == DATA_MOONS || spec->kind == DATA_SPIRAL ? 2 : spec->features,
                         1, spec->n, spec->n};
    if (spec->kind == DATA_CSV) {
        LrDataset header;
        memset(&header, 0, sizeof header);
        LrStatus status = load_csv(spec, src, diag, true, &header);
        if (!status_ok(status))
            return status;
        found = (LrDataShape){header.features, header.targets, 1, header.n};
    }
    if (shape)
        *shape = found;
    return status_of(LR_OK);
}

bool data_bytes(const LrDatasetSpec *spec, const LrDataShape *shape, int64_t rows, size_t *x,
                size_t *y, size_t *centers)
{
    *centers = 0;
    return size_mul((size_t)rows, (size_t)shape->features, sizeof(float), x) &&
           size_mul((size_t)rows, (size_t)shape->targets, sizeof(float), y) &&
           (spec->kind != DATA_BLOBS ||
            size_mul((size_t)spec->classes, (size_t)shape->features, sizeof(double), centers));
}

/* ---- generators -------------------------------------------------------------- */

static LrStatus generate(const LrDatasetSpec *spec, int index, uint64_t seed,
                         const LrSource *src, LrDiag *diag, LrDataset *out)
{
    int features = spec->kind == DATA_MOONS || spec->kind == DATA_SPIRAL ? 2 : spec->features;
    bool needs_classes = spec->kind == DATA_BLOBS || spec->kind == DATA_SPIRAL;
    /* The checker guarantees these; a Spec built elsewhere gets an error, not
     * a crash. */
    if (spec->n < 1 || features < 1 || (needs_classes && spec->classes < 1) ||
        (spec->kind == DATA_LINEAR && !spec->weights)) {
        diag_error(diag, src, spec->span, "invalid generator: n, features and classes must be at least 1");
        return status_of(LR_LANGUAGE_ERROR);
    }
    size_t xb, yb, cb;
    LrDataShape shape = {features, 1, spec->n, spec->n};
    if (!data_bytes(spec, &shape, spec->n, &xb, &yb, &cb)) {
        out_of_memory(spec, src, diag);
        return status_of(LR_RUN_FAILED);
    }
    out->n = spec->n;
    out->features = features;
    out->targets = 1;
    out->x = malloc(xb);
    out->y = malloc(yb);
    double *centers = cb ? malloc(cb) : NULL;
    if (!out->x || !out->y || (cb && !centers)) {
        free(centers);
        out_of_memory(spec, src, diag);
        return status_of(LR_RUN_FAILED);
    }
    LrRng rng;
    rng_seed(&rng, seed, RNG_STREAM_DATA + RNG_DATASET_STRIDE * (uint64_t)index);
    switch (spec->kind) {
    case DATA_LINEAR:
        synth_linear(spec, &rng, out->x, out->y);
        break;
    case DATA_BLOBS:
        synth_blobs(spec, &rng, out->x, out->y, centers);
        break;
    case DATA_MOONS:
        synth_moons(spec, &rng, out->x, out->y);
        break;
    case DATA_SPIRAL:
        synth_spiral(spec, &rng, out->x, out->y);
        break;
    case DATA_CSV:
        break;
    }
    free(centers);
    return status_of(LR_OK);
}

/* ---- split ------------------------------------------------------------------- */

/* ceil(fraction * n), reading fraction as the decimal it was written as: a
 * product within 1e-9 (relative) of an integer is that integer, so 0.07 of
 * 100 rows is 7, not ceil(7.000000000000001) = 8. */
static int64_t held_out(double fraction, int64_t n)
{
    if (!(fraction > 0))
        return 0;
    double t = fraction * (double)n;
    double r = floor(t + 0.5);
    if (fabs(t - r) <= 1e-9 * fmax(1.0, t))
        return (int64_t)r;
    return (int64_t)ceil(t);
}

/* Chooses the held-out rows and reorders x and y into [train | validation |
 * test]. The draws: k = test + validation rows are picked by a partial
 * Fisher-Yates shuffle of the row indices, for i = 0 .. k-1 swapping
 * perm[i] with perm[i + rng_below(n - i)]; perm[0 .. test) are the test
 * rows, the next `validation` the validation rows. Each part then keeps the
 * file's order. */
int64_t data_part_rows(const LrDatasetSpec *spec, int64_t n, LrPart part)
{
    int64_t n_test = held_out(spec->test, n), n_val = held_out(spec->validation, n);
    int64_t counts[] = {[PART_TRAIN] = n - n_test - n_val, [PART_VALIDATION] = n_val,
                        [PART_TEST] = n_test};
    return counts[part] > 0 ? counts[part] : 0;
}

static LrStatus split(const LrDatasetSpec *spec, int index, uint64_t seed, const LrSource *src,
                      LrDiag *diag, LrDataset *d)
{
    const int64_t n = d->n;
    int64_t n_test = held_out(spec->test, n), n_val = held_out(spec->validation, n);
    if (n_test + n_val >= n) {
        const char *name = spec->name && spec->name[0] ? spec->name : "";
        diag_error(diag, src, spec->span,
                   "dataset%s%s%s has no rows left for training (%lld rows: %lld held out for "
                   "validation, %lld for test)",
                   name[0] ? " '" : "", name, name[0] ? "'" : "", (long long)n, (long long)n_val,
                   (long long)n_test);
        return status_of(LR_LANGUAGE_ERROR);
    }
    int64_t n_train = n - n_test - n_val;
    d->part_begin[PART_TRAIN] = 0;
    d->part_count[PART_TRAIN] = n_train;
    d->part_begin[PART_VALIDATION] = n_train;
    d->part_count[PART_VALIDATION] = n_val;
    d->part_begin[PART_TEST] = n_train + n_val;
    d->part_count[PART_TEST] = n_test;
    if (n_test + n_val == 0)
        return status_of(LR_OK);

    size_t xb, yb;
    int64_t *perm = malloc((size_t)n * sizeof *perm);
    unsigned char *part = malloc((size_t)n);
    float *x = NULL, *y = NULL;
    if (perm && part && size_mul((size_t)n, (size_t)d->features, sizeof(float), &xb) &&
        size_mul((size_t)n, (size_t)d->targets, sizeof(float), &yb)) {
        x = malloc(xb);
        y = malloc(yb);
    }
    if (!x || !y) {
        free(perm);
        free(part);
        free(x);
        free(y);
        out_of_memory(spec, src, diag);
        return status_of(LR_RUN_FAILED);
    }
    for (int64_t i = 0; i < n; i++) {
        perm[i] = i;
        part[i] = PART_TRAIN;
    }
    LrRng rng;
    rng_seed(&rng, seed, RNG_STREAM_SPLIT + RNG_DATASET_STRIDE * (uint64_t)index);
    for (int64_t i = 0; i < n_test + n_val; i++) {
        int64_t j = i + (int64_t)rng_below(&rng, (uint64_t)(n - i));
        int64_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        part[perm[i]] = i < n_test ? PART_TEST : PART_VALIDATION;
    }
    int64_t next[3] = {d->part_begin[0], d->part_begin[1], d->part_begin[2]};
    const size_t f = (size_t)d->features, tg = (size_t)d->targets;
    for (int64_t i = 0; i < n; i++) {
        int64_t to = next[part[i]]++;
        memcpy(x + (size_t)to * f, d->x + (size_t)i * f, f * sizeof(float));
        memcpy(y + (size_t)to * tg, d->y + (size_t)i * tg, tg * sizeof(float));
    }
    free(perm);
    free(d->x);
    free(d->y);
    d->x = x;
    d->y = y;
    d->row_part = part;
    return status_of(LR_OK);
}

/* ---- the entry points -------------------------------------------------------- */

LrStatus data_load(const LrDatasetSpec *spec, int index, uint64_t seed, const LrSource *src,
                   LrDiag *diag, LrDataset *out)
{
    memset(out, 0, sizeof *out);
    LrStatus status = spec->kind == DATA_CSV ? load_csv(spec, src, diag, false, out)
                                             : generate(spec, index, seed, src, diag, out);
    if (status_ok(status))
        status = split(spec, index, seed, src, diag, out);
    if (!status_ok(status))
        data_free(out);
    return status;
}

void data_free(LrDataset *d)
{
    free(d->x);
    free(d->y);
    free((void *)d->feature_names);
    free(d->row_part);
    memset(d, 0, sizeof *d);
}

void data_normalize_fit(const LrDataset *d, LrNormalizeKind kind, int64_t begin, int64_t count,
                        float *offset, float *scale)
{
    const size_t f = (size_t)d->features;
    for (size_t j = 0; j < f; j++) {
        offset[j] = 0.0f;
        scale[j] = 1.0f;
        if (kind == NORM_NONE || count <= 0)
            continue;
        const float *col = d->x + (size_t)begin * f + j;
        double lo = col[0], hi = col[0], sum = 0;
        for (int64_t i = 0; i < count; i++) {
            double v = col[(size_t)i * f];
            sum += v;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        /* A constant column: its value, and scale 1, exactly (a computed
         * standard deviation could be a rounding error instead of 0). */
        if (lo == hi) {
            offset[j] = (float)lo;
            continue;
        }
        double off, sc;
        if (kind == NORM_MINMAX) {
            off = lo;
            sc = hi - lo;
        } else {
            off = sum / (double)count;
            double ss = 0;
            for (int64_t i = 0; i < count; i++) {
                double e = col[(size_t)i * f] - off;
                ss += e * e;
            }
            sc = sqrt(ss / (double)count);
        }
        offset[j] = (float)off;
        scale[j] = (float)sc > 0.0f ? (float)sc : 1.0f;
    }
}

void data_normalize_apply(LrDataset *d, const float *offset, const float *scale)
{
    const size_t f = (size_t)d->features;
    for (int64_t i = 0; i < d->n; i++) {
        float *row = d->x + (size_t)i * f;
        for (size_t j = 0; j < f; j++)
            row[j] = (row[j] - offset[j]) / scale[j];
    }
}
