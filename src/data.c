/* data.c — see data.h. A dataset is loaded once, before training: read
 * from CSV (through csv.c) or generated (synth.c), then split into its
 * parts and, by the caller, normalized with statistics of the training
 * part. */
#include "data.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "decimal.h"
#include "dist.h"
#include "idx.h"
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

/* Reports that data file `shown` (as written; opened as `opened`) cannot
 * be read, at span (the data set's statement when it has none): why, and
 * for a relative path with no file there, every place it was looked for
 * when there was a data path. */
static void cannot_read(const LrDatasetSpec *spec, const char *shown, const char *opened,
                        LrSpan span, const char *why, const LrSource *src, LrDiag *diag)
{
    char looked[2048] = "";
    if (strcmp(why, strerror(ENOENT)) == 0 && shown[0] != '/' && spec->data_path_count > 0) {
        size_t used = (size_t)snprintf(looked, sizeof looked, " (looked for '%s'", opened);
        for (int i = 0; i < spec->data_path_count && used < sizeof looked; i++)
            used += (size_t)snprintf(looked + used, sizeof looked - used, ", '%s/%s'",
                                     spec->data_path[i], shown);
        if (used < sizeof looked)
            snprintf(looked + used, sizeof looked - used, ")");
    }
    diag_error(diag, src, span.length ? span : spec->span, "cannot read data file '%s': %s%s",
               shown, why, looked);
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

/* Resolves label(s)=, features= and exclude= against the file's columns
 * (rule: every name is a column, none twice, none both label and feature,
 * no label excluded, at least one feature). label has spec->label_count entries; feature gets the feature
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
    } else {
        /* Every column but the labels and exclude=: feature marks them. */
        for (int col = 0; col < c->count; col++)
            feature[col] = 0;
        for (int k = 0; k < spec->label_count; k++)
            if (label[k] >= 0)
                feature[label[k]] = 1;
        for (int i = 0; i < spec->exclude_count; i++) {
            LrSpan at = name_span(spec->exclude_spans, i, spec->exclude_span);
            int col = find_column(c, spec, spec->exclude_names[i], at, src, diag);
            if (col < 0) {
                bad = 1;
            } else if (feature[col]) {
                diag_error(diag, src, at, feature[col] == 1 ? "column '%s' is a label, not a feature to exclude"
                                                            : "column '%s' is excluded twice",
                           spec->exclude_names[i]);
                bad = 1;
            } else {
                feature[col] = 2;
            }
        }
        /* In place: nf <= col, so no mark is overwritten before it is read. */
        for (int col = 0; col < c->count; col++)
            if (!bad && feature[col] == 0)
                feature[nf++] = col;
        if (!bad && nf == 0) {
            diag_error(diag, src, spec->exclude_count ? spec->exclude_span : spec->label_span,
                       "no feature columns: every column of '%s' is a label%s", spec->path,
                       spec->exclude_count ? " or excluded" : "");
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

/* The field without its surrounding spaces. */
static const char *trim(const char *s, size_t *len)
{
    while (*len > 0 && is_blank(*s))
        s++, (*len)--;
    while (*len > 0 && is_blank(s[*len - 1]))
        (*len)--;
    return s;
}

/* Whether field col of the current record is text, not a number (nor a
 * missing, non-finite or overlong one: those are errors either way). */
static bool field_is_text(const LrCsvReader *r, int col)
{
    size_t len;
    const char *s = csv_field(r, col, &len);
    float unused;
    return data_parse_value(s, len, &unused) == VALUE_NOT_NUMBER;
}

/* A numeric label against what the model needs of it; reports at its
 * place. Returns 0 or -1. */
static int check_label(const LrCsvReader *r, const Columns *c, int col, float y,
                       const LrLabelRule *rule, LrDiag *diag)
{
    if (!rule || rule->want == LABEL_ANY)
        return 0;
    int line = csv_line_int(r->field_line[col]);
    if (rule->want == LABEL_CLASS_INDEX) {
        if (y == floorf(y) && y >= 0 && y < (float)rule->outputs)
            return 0;
        diag_file_error(diag, r->name, line, col + 1,
                        "the label %g in column '%s' is out of range: the model's %d outputs "
                        "are classes 0 to %d",
                        (double)y, c->names[col], rule->outputs, rule->outputs - 1);
        return -1;
    }
    if (y >= 0 && y <= 1)
        return 0;
    diag_file_error(diag, r->name, line, col + 1,
                    "the target %g in column '%s' is not a probability between 0 and 1 (as %s "
                    "needs)",
                    (double)y, c->names[col], rule->loss ? rule->loss : "the loss");
    return -1;
}

/* ---- text labels ------------------------------------------------------------- */

/* The distinct label texts of a file, in the order they are met: an
 * open-addressing hash set of indices into one buffer of names. */
typedef struct ClassSet {
    int count, cap;
    size_t *at;       /* each name's offset in text */
    char *text;
    size_t text_len, text_cap;
    int *slot;        /* class index + 1; 0: empty. slot_count is a power of 2 */
    size_t slot_count;
} ClassSet;

static void class_set_free(ClassSet *s)
{
    free(s->at);
    free(s->text);
    free(s->slot);
    memset(s, 0, sizeof *s);
}

static size_t hash_text(const char *t, size_t len)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)t[i]) * 1099511628211u;
    return (size_t)h;
}

static int rehash(ClassSet *s, size_t slots)
{
    int *slot = calloc(slots, sizeof *slot);
    if (!slot)
        return -1;
    for (int k = 0; k < s->count; k++) {
        const char *name = s->text + s->at[k];
        size_t h = hash_text(name, strlen(name)) & (slots - 1);
        while (slot[h])
            h = (h + 1) & (slots - 1);
        slot[h] = k + 1;
    }
    free(s->slot);
    s->slot = slot;
    s->slot_count = slots;
    return 0;
}

/* The index of text t (len bytes) in the set, added when new; -1 when out
 * of memory. */
static int class_intern(ClassSet *s, const char *t, size_t len)
{
    if ((size_t)s->count * 2 >= s->slot_count && rehash(s, s->slot_count ? 2 * s->slot_count : 64) < 0)
        return -1;
    size_t mask = s->slot_count - 1, h = hash_text(t, len) & mask;
    for (; s->slot[h]; h = (h + 1) & mask) {
        const char *name = s->text + s->at[s->slot[h] - 1];
        if (memcmp(name, t, len) == 0 && name[len] == '\0')
            return s->slot[h] - 1;
    }
    if (s->count == s->cap) {
        int cap = s->cap ? 2 * s->cap : 16;
        size_t *at = realloc(s->at, (size_t)cap * sizeof *at);
        if (!at)
            return -1;
        s->at = at;
        s->cap = cap;
    }
    if (s->text_len + len + 1 > s->text_cap) {
        size_t cap = s->text_cap ? s->text_cap : 256;
        while (cap < s->text_len + len + 1)
            cap *= 2;
        char *text = realloc(s->text, cap);
        if (!text)
            return -1;
        s->text = text;
        s->text_cap = cap;
    }
    memcpy(s->text + s->text_len, t, len);
    s->text[s->text_len + len] = '\0';
    s->at[s->count] = s->text_len;
    s->text_len += len + 1;
    s->slot[h] = s->count + 1;
    return s->count++;
}

/* count names as one allocation: the pointers (NULL-terminated), then the
 * strings. */
static const char *const *copy_names(const char *const *names, int count)
{
    size_t total = ((size_t)count + 1) * sizeof(char *);
    for (int j = 0; j < count; j++)
        total += strlen(names[j]) + 1;
    char **copy = malloc(total);
    if (!copy)
        return NULL;
    char *p = (char *)(copy + count + 1);
    for (int j = 0; j < count; j++) {
        size_t len = strlen(names[j]);
        memcpy(p, names[j], len + 1);
        copy[j] = p;
        p += len + 1;
    }
    copy[count] = NULL;
    return (const char *const *)copy;
}

void data_describe_classes(const char *const *names, int count, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < count && used < size; i++) {
        /* Room for ", ..." and the count after the names shown. */
        if (used + strlen(names[i]) + 2 > (size > 40 ? size - 40 : 0)) {
            snprintf(buf + used, size - used, ", ... (%d in all)", count);
            return;
        }
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
    }
}

typedef struct NamedIndex {
    const char *name;
    int index;
} NamedIndex;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const NamedIndex *)a)->name, ((const NamedIndex *)b)->name);
}

/* The classes found, sorted by byte, become the data set's class names;
 * each row's label, the index of its class as it was met, becomes the
 * sorted index. Returns 0, or -1 when out of memory. */
static int sort_classes(LrDataset *d, const ClassSet *set)
{
    NamedIndex *order = malloc((size_t)set->count * sizeof *order);
    int *rank = malloc((size_t)set->count * sizeof *rank);
    const char **names = malloc((size_t)set->count * sizeof *names);
    if (!order || !rank || !names) {
        free(order);
        free(rank);
        free(names);
        return -1;
    }
    for (int k = 0; k < set->count; k++)
        order[k] = (NamedIndex){set->text + set->at[k], k};
    qsort(order, (size_t)set->count, sizeof *order, by_name);
    for (int k = 0; k < set->count; k++) {
        rank[order[k].index] = k;
        names[k] = order[k].name;
    }
    for (int64_t i = 0; i < d->n; i++)
        d->y[i] = (float)rank[(int)d->y[i]];
    d->class_names = copy_names(names, set->count);
    d->class_count = set->count;
    free(order);
    free(rank);
    free(names);
    return d->class_names ? 0 : -1;
}

/* The index of text t (len bytes) among sorted names, or -1. */
static int find_class(const char *const *names, int count, const char *t, size_t len)
{
    int lo = 0, hi = count;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        size_t nlen = strlen(names[mid]);
        int cmp = memcmp(t, names[mid], len < nlen ? len : nlen);
        if (cmp == 0)
            cmp = len < nlen ? -1 : len > nlen;
        if (cmp == 0)
            return mid;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

/* Reads the text label in field col of the current record as a class:
 * learned into set, or mapped through rule's class names. Returns 0, -1
 * after reporting what is wrong with it, -2 when out of memory. */
static int read_class(const LrCsvReader *r, const Columns *c, int col, const LrLabelRule *rule,
                      ClassSet *set, float *out, LrDiag *diag)
{
    size_t len;
    const char *s = trim(csv_field(r, col, &len), &len);
    int line = csv_line_int(r->field_line[col]);
    int shown = len > 40 ? 37 : (int)len;
    const char *more = len > 40 ? "..." : "";
    if (len == 0) {
        diag_file_error(diag, r->name, line, col + 1, "missing value in column '%s'",
                        c->names[col]);
        return -1;
    }
    if (rule && rule->class_names) {
        int k = find_class(rule->class_names, rule->class_count, s, len);
        if (k >= 0) {
            *out = (float)k;
            return 0;
        }
        char list[256];
        data_describe_classes(rule->class_names, rule->class_count, list, sizeof list);
        const char *near = diag_suggest(s, len, rule->class_names);
        diag_file_error(diag, r->name, line, col + 1,
                        "class '%.*s%s' was not in the training data (classes: %s)%s%s%s",
                        shown, s, more, list, near ? "; did you mean '" : "", near ? near : "",
                        near ? "'?" : "");
        return -1;
    }
    int k = class_intern(set, s, len);
    if (k < 0)
        return -2;
    if (k >= DATA_MAX_CLASSES) {
        diag_file_error(diag, r->name, line, col + 1,
                        "column '%s' has more than %d distinct labels (the limit of classes)",
                        c->names[col], DATA_MAX_CLASSES);
        return -1;
    }
    *out = (float)k;
    return 0;
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

/* How much of a CSV file load_csv reads. */
typedef enum ReadMode {
    READ_HEADER, /* the column names (data_check_columns) */
    READ_CHECK,  /* those, then DATA_CHECK_ROWS rows' features (data_check_values) */
    READ_ALL
} ReadMode;

/* In the first DATA_CHECK_ROWS rows, the first value of each feature column
 * that is text is reported at the data set's statement (one error a
 * column); the rest is the run's to find. Returns 0, or -1 after
 * reporting. */
static int check_first_rows(const LrDatasetSpec *spec, LrCsvReader *r, const Columns *cols,
                            const int *feature, int nf, const LrSource *src, LrDiag *diag)
{
    bool *reported = calloc((size_t)nf, sizeof *reported);
    if (!reported) {
        out_of_memory(spec, src, diag);
        return -1;
    }
    int bad = 0, rc = spec->header ? csv_next(r) : 1;
    for (int64_t row = 1; rc == 1 && row <= DATA_CHECK_ROWS; row++, rc = csv_next(r)) {
        if (r->field_count != cols->count)
            continue; /* the run reports it, with every other bad row */
        for (int j = 0; j < nf; j++) {
            if (reported[j] || !field_is_text(r, feature[j]))
                continue;
            size_t len;
            const char *v = trim(csv_field(r, feature[j], &len), &len);
            const char *name = cols->names[feature[j]];
            /* features= chose the column; otherwise exclude= can drop it. */
            const char *hint = spec->feature_count ? ""
                               : spec->exclude_count ? "; add it to exclude= to leave it out"
                                                     : "; exclude=[...] leaves it out";
            diag_error(diag, src, spec->span,
                       "feature column '%s' of '%s' is not numeric: '%.*s%s' in row %lld (line "
                       "%lld)%s",
                       name, spec->path, len > 40 ? 37 : (int)len, v, len > 40 ? "..." : "",
                       (long long)row, (long long)r->field_line[feature[j]], hint);
            reported[j] = true;
            bad = 1;
        }
    }
    free(reported);
    return rc < 0 || bad ? -1 : 0;
}

/* The names of the nf feature columns (copy_names); NULL when out of memory. */
static const char *const *feature_names_of(const Columns *cols, const int *feature, int nf)
{
    const char **names = malloc(((size_t)nf + 1) * sizeof *names);
    const char *const *copy = NULL;
    if (names) {
        for (int j = 0; j < nf; j++)
            names[j] = cols->names[feature[j]];
        copy = copy_names(names, nf);
        free(names);
    }
    return copy;
}

/* shape= against the features the columns chose: as many values. Returns
 * 0, or -1 after reporting at shape=. */
static int check_shape(const LrDatasetSpec *spec, int features, const LrSource *src,
                       LrDiag *diag)
{
    if (!spec->shape.rank)
        return 0;
    int64_t values = 1;
    char text[64];
    size_t used = (size_t)snprintf(text, sizeof text, "[");
    for (int i = 0; i < spec->shape.rank; i++) {
        values *= spec->shape.dims[i];
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%d", i ? ", " : "",
                                 spec->shape.dims[i]);
    }
    if (values == features)
        return 0;
    diag_error(diag, src, spec->shape_span,
               "shape %s] has %lld value%s but the data set has %d feature%s", text,
               (long long)values, values == 1 ? "" : "s", features, features == 1 ? "" : "s");
    return -1;
}

/* Reads a CSV dataset into out (n, features, targets, x, y, sha256,
 * feature_names, and the classes of text labels), unsplit. Without
 * READ_ALL, stops after validating the column names (and checking the
 * first rows). text_labels reads
 * the label as text (data.h: LrLabelRule); without it, a rule allowing
 * text classes and a label that is text set *labels_are_text and the rest
 * of the labels are skipped: the caller reads the file again with
 * text_labels. The file's bytes are hashed as they are parsed, so the hash
 * is of exactly what was read. */
/* The records of a CSV file that a share reads (data_load_share): those
 * that begin in bytes [lo, hi). */
typedef struct CsvRange {
    int64_t lo, hi;
} CsvRange;

static LrStatus load_csv(const LrDatasetSpec *spec, const LrSource *src, LrDiag *diag,
                         ReadMode mode, const LrLabelRule *rule, bool text_labels,
                         bool *labels_are_text, CsvRange *range, LrDataset *out)
{
    const bool header_only = mode != READ_ALL;
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
        cannot_read(spec, spec->path, path, spec->path_span, why, src, diag);
        return status_of(header_only ? LR_LANGUAGE_ERROR : LR_RUN_FAILED);
    }
    Columns cols = {0};
    ClassSet classes = {0};
    int *label = NULL, *feature = NULL;
    LrStatus status = status_of(LR_LANGUAGE_ERROR);
    bool may_be_text = !text_labels && rule && rule->text_classes && spec->label_count == 1;
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
    if (resolve_columns(spec, &cols, src, diag, label, feature, &nf) != 0 ||
        check_shape(spec, nf, src, diag) < 0)
        goto done;
    out->shape = spec->shape;
    if (mode == READ_CHECK) {
        if (check_first_rows(spec, &r, &cols, feature, nf, src, diag) == 0)
            status = status_of(LR_OK);
        goto done;
    }
    if (header_only) {
        out->features = nf;
        out->targets = spec->label_count;
        if (!(out->feature_names = feature_names_of(&cols, feature, nf))) {
            out_of_memory(spec, src, diag);
            status = status_of(LR_RUN_FAILED);
            goto done;
        }
        /* A row has at least one byte per field, a delimiter or newline
         * after each. */
        out->n = r.size < 0 ? INT64_MAX : r.size / (2 * (int64_t)cols.count) + 1;
        status = status_of(LR_OK);
        goto done;
    }
    out->features = nf;
    out->targets = spec->label_count;
    int64_t at = 0; /* where the current record begins */
    if (spec->header) {
        at = csv_offset(&r);
        rc = csv_next(&r);
    }
    /* Each bad value is reported and the reading goes on, to show the
     * user every one (up to the sink's cap of 20 errors, where it stops). */
    int64_t cap = 0, n = 0;
    bool bad = false;
    for (; rc == 1 && diag_showing(diag); at = csv_offset(&r), rc = csv_next(&r)) {
        if (range && (at < range->lo || at >= range->hi)) {
            /* Another rank's record: its label only, when the classes
             * are named from every label. */
            if (at >= range->hi && (!text_labels || (rule && rule->class_names))) {
                rc = 0;
                break;
            }
            float unused;
            if (text_labels && !(rule && rule->class_names) && r.field_count == cols.count &&
                read_class(&r, &cols, label[0], rule, &classes, &unused, diag) == -2) {
                out_of_memory(spec, src, diag);
                status = status_of(LR_RUN_FAILED);
                goto done;
            }
            continue;
        }
        n++;
        if (r.field_count != cols.count) {
            diag_file_error(diag, spec->path, csv_line_int(r.record_line), 0,
                            "row has %d field%s but the %s has %d", r.field_count,
                            r.field_count == 1 ? "" : "s", spec->header ? "header" : "first row",
                            cols.count);
            bad = true;
            continue;
        }
        if (grow_rows(out, &cap, n) < 0) {
            out_of_memory(spec, src, diag);
            status = status_of(LR_RUN_FAILED);
            goto done;
        }
        float *xr = out->x + (size_t)(n - 1) * (size_t)nf;
        float *yr = out->y + (size_t)(n - 1) * (size_t)out->targets;
        for (int j = 0; j < nf; j++)
            if (read_value(&r, &cols, feature[j], &xr[j], diag) < 0)
                bad = true;
        if (may_be_text && !*labels_are_text && field_is_text(&r, label[0]))
            *labels_are_text = true;
        if (*labels_are_text)
            continue;
        for (int j = 0; j < out->targets; j++) {
            if (text_labels) {
                int k = read_class(&r, &cols, label[j], rule, &classes, &yr[j], diag);
                if (k == -2) {
                    out_of_memory(spec, src, diag);
                    status = status_of(LR_RUN_FAILED);
                    goto done;
                }
                bad = bad || k < 0;
            } else if (read_value(&r, &cols, label[j], &yr[j], diag) < 0 ||
                       check_label(&r, &cols, label[j], yr[j], rule, diag) < 0) {
                bad = true;
            }
        }
    }
    if (rc != 0 || bad) /* 1: stopped at the cap */
        goto done;
    if (n == 0 && !range) {
        diag_file_error(diag, spec->path, 1, 0, "no data rows");
        goto done;
    }
    out->n = n;
    out->feature_names = feature_names_of(&cols, feature, nf);
    if (!out->feature_names ||
        (text_labels && !(rule && rule->class_names) && sort_classes(out, &classes) < 0) ||
        (text_labels && rule && rule->class_names &&
         !(out->class_names = copy_names(rule->class_names, rule->class_count)))) {
        out_of_memory(spec, src, diag);
        status = status_of(LR_RUN_FAILED);
        goto done;
    }
    if (text_labels && rule && rule->class_names)
        out->class_count = rule->class_count;
    unsigned char digest[32];
    sha256_final(&hash, digest);
    sha256_digest_hex(digest, out->sha256);
    status = status_of(LR_OK);
done:
    free(label);
    free(feature);
    class_set_free(&classes);
    columns_free(&cols);
    csv_close(&r);
    return status;
}

/* ---- IDX --------------------------------------------------------------------- */

/* Opens one of an idx data set's files (shown as written, reported at
 * span). Returns 0, or -1 after reporting with *status set: a file the
 * run cannot open fails it (`lrc check` opened it), anything else is an
 * error of the data. */
static int open_idx(const LrDatasetSpec *spec, LrIdx *f, const char *path, const char *shown,
                    LrSpan span, bool run, const LrSource *src, LrDiag *diag, LrStatus *status)
{
    char why[512];
    int rc = idx_open(f, path, why, sizeof why);
    if (rc == 0)
        return 0;
    if (rc == IDX_CANNOT_OPEN) {
        cannot_read(spec, shown, path, span, why, src, diag);
        *status = status_of(run ? LR_RUN_FAILED : LR_LANGUAGE_ERROR);
    } else {
        diag_error(diag, src, span, "'%s' %s", shown, why);
        *status = status_of(LR_LANGUAGE_ERROR);
    }
    return -1;
}

/* The images file's sizes and the labels file's against what a data set
 * needs (data.h); fills out's n, features, targets and shape. Returns 0,
 * or -1 after reporting. */
static int idx_layout(const LrDatasetSpec *spec, const LrIdx *images, const LrIdx *labels,
                      const LrSource *src, LrDiag *diag, LrDataset *out)
{
    char dims[128];
    idx_describe_dims(images, dims, sizeof dims);
    /* The product of the sizes after the first, stopped past the limit
     * (with no images, idx_open's limit on all of them says nothing). */
    int64_t n = images->dims[0], features = 1;
    for (int i = 1; i < images->rank && features <= SPEC_MAX_UNITS; i++)
        features *= images->dims[i];
    if (images->rank < 2) {
        diag_error(diag, src, spec->path_span,
                   "'%s' has the sizes %s: images are [n, features], [n, height, width] or "
                   "[n, height, width, channels]",
                   spec->path, dims);
        return -1;
    }
    if (n == 0 || features == 0) {
        diag_error(diag, src, spec->path_span, "'%s' has the sizes %s: it holds no %s",
                   spec->path, dims, n == 0 ? "images" : "values in an image");
        return -1;
    }
    if (features > SPEC_MAX_UNITS) {
        diag_error(diag, src, spec->path_span,
                   "'%s' has the sizes %s: images of %lld values (limit is %d)", spec->path,
                   dims, (long long)features, SPEC_MAX_UNITS);
        return -1;
    }
    idx_describe_dims(labels, dims, sizeof dims);
    if (labels->rank != 1) {
        diag_error(diag, src, spec->label_span,
                   "labels file '%s' has the sizes %s: labels are one class index per image, [n]",
                   spec->labels_path, dims);
        return -1;
    }
    if (!idx_type_is_integer(labels->type)) {
        diag_error(diag, src, spec->label_span,
                   "labels file '%s' holds %s values: labels are integers (u8, i8, i16 or i32)",
                   spec->labels_path, idx_type_name(labels->type));
        return -1;
    }
    if (labels->dims[0] != n) {
        diag_error(diag, src, spec->label_span, "'%s' has %lld labels but '%s' has %lld images",
                   spec->labels_path, (long long)labels->dims[0], spec->path, (long long)n);
        return -1;
    }
    out->n = n;
    out->features = (int)features;
    out->targets = 1;
    if (images->rank == 3)
        out->shape = (LrShape){3, {(int)images->dims[1], (int)images->dims[2], 1}};
    else if (images->rank == 4)
        out->shape = (LrShape){3, {(int)images->dims[1], (int)images->dims[2], (int)images->dims[3]}};
    return 0;
}

/* The labels read against what the model needs of them (check_label's
 * rule): the first bad one is reported, with how many there are. Returns
 * 0 or -1. */
static int check_idx_labels(const LrDatasetSpec *spec, const LrDataset *d,
                            const LrLabelRule *rule, const LrSource *src, LrDiag *diag)
{
    if (!rule || rule->want == LABEL_ANY)
        return 0;
    int64_t bad = 0, first = 0;
    for (int64_t i = 0; i < d->n; i++) {
        float y = d->y[i];
        bool fits = rule->want == LABEL_CLASS_INDEX ? y >= 0 && y < (float)rule->outputs
                                                    : y >= 0 && y <= 1;
        if (!fits && bad++ == 0)
            first = i;
    }
    if (!bad)
        return 0;
    char more[64] = "";
    if (bad > 1)
        snprintf(more, sizeof more, " (and %lld more)", (long long)bad - 1);
    if (rule->want == LABEL_CLASS_INDEX)
        diag_error(diag, src, spec->label_span,
                   "label %g of image %lld in '%s' is out of range%s: the model's %d outputs "
                   "are classes 0 to %d",
                   (double)d->y[first], (long long)first + 1, spec->labels_path, more,
                   rule->outputs, rule->outputs - 1);
    else
        diag_error(diag, src, spec->label_span,
                   "label %g of image %lld in '%s' is not a probability between 0 and 1%s (as "
                   "%s needs)",
                   (double)d->y[first], (long long)first + 1, spec->labels_path, more,
                   rule->loss ? rule->loss : "the loss");
    return -1;
}

/* Reads an idx data set into out (n, features, targets, shape, x, y and
 * the files' digests), unsplit; header_only: up to the shape. */
/* Reads an IDX data set into out, unsplit: all its rows, or with `share`
 * (rank share[0] of share[1]) rank r's n r / R to n (r + 1) / R of them,
 * skipping those before (out->n becomes theirs); only rank 0 of a share
 * hashes the files. */
static LrStatus load_idx(const LrDatasetSpec *spec, const LrSource *src, LrDiag *diag,
                         bool header_only, const LrLabelRule *rule, const int *share,
                         LrDataset *out)
{
    const char *images_path = spec->resolved_path ? spec->resolved_path : spec->path;
    const char *labels_path = spec->labels_resolved ? spec->labels_resolved : spec->labels_path;
    LrStatus status = status_of(LR_LANGUAGE_ERROR);
    LrIdx images, labels;
    if (open_idx(spec, &images, images_path, spec->path, spec->path_span, !header_only, src, diag,
                 &status) < 0)
        return status;
    if (open_idx(spec, &labels, labels_path, spec->labels_path, spec->label_span, !header_only, src,
                 diag, &status) < 0) {
        idx_close(&images);
        return status;
    }
    status = status_of(LR_LANGUAGE_ERROR);
    if (idx_layout(spec, &images, &labels, src, diag, out) < 0)
        goto done;
    if (header_only) {
        status = status_of(LR_OK);
        goto done;
    }
    char why[512];
    if (share) {
        int64_t first = out->n * share[0] / share[1];
        out->n = out->n * (share[0] + 1) / share[1] - first;
        if (idx_skip(&images, first * out->features, why, sizeof why) < 0) {
            diag_error(diag, src, spec->path_span, "'%s' %s", spec->path, why);
            goto done;
        }
        if (idx_skip(&labels, first, why, sizeof why) < 0) {
            diag_error(diag, src, spec->label_span, "'%s' %s", spec->labels_path, why);
            goto done;
        }
    }
    size_t xb, yb, unused;
    LrDataShape shape = {out->features, 1, out->n, out->n, out->shape};
    if (!data_bytes(spec, &shape, out->n > 0 ? out->n : 1, &xb, &yb, &unused) ||
        !(out->x = malloc(xb)) || !(out->y = malloc(yb))) {
        out_of_memory(spec, src, diag);
        status = status_of(LR_RUN_FAILED);
        goto done;
    }
    double scale = spec->scale > 0 ? spec->scale : 1;
    if (idx_read(&images, out->x, out->n * out->features, scale, why, sizeof why) < 0) {
        diag_error(diag, src, spec->path_span, "'%s' %s", spec->path, why);
        goto done;
    }
    if (idx_read(&labels, out->y, out->n, 1, why, sizeof why) < 0) {
        diag_error(diag, src, spec->label_span, "'%s' %s", spec->labels_path, why);
        goto done;
    }
    if (check_idx_labels(spec, out, rule, src, diag) < 0)
        goto done;
    /* The digests are of the files as they are on disk (compressed). */
    if ((!share || share[0] == 0) && (sha256_file_hex(images_path, out->sha256) < 0 ||
                                      sha256_file_hex(labels_path, out->labels_sha256) < 0)) {
        diag_error(diag, src, spec->span, "cannot read the data files again to hash them: %s",
                   strerror(errno));
        status = status_of(LR_RUN_FAILED);
        goto done;
    }
    status = status_of(LR_OK);
done:
    idx_close(&images);
    idx_close(&labels);
    return status;
}

/* ---- what is known before loading -------------------------------------------- */

LrStatus data_check_columns(const LrDatasetSpec *spec, const LrSource *src, LrDiag *diag,
                            LrDataShape *shape)
{
    LrDataShape found = {spec->kind == DATA_MOONS || spec->kind == DATA_SPIRAL ? 2 : spec->features,
                         1, spec->n, spec->n, {0, {0}}};
    if (spec->kind == DATA_CSV) {
        LrDataset header;
        memset(&header, 0, sizeof header);
        bool unused = false;
        LrStatus status = load_csv(spec, src, diag, READ_HEADER, NULL, false, &unused, NULL, &header);
        if (!status_ok(status))
            return status;
        found = (LrDataShape){header.features, header.targets, 1, header.n, header.shape};
        data_free(&header);
    } else if (spec->kind == DATA_IDX) {
        LrDataset header;
        memset(&header, 0, sizeof header);
        LrStatus status = load_idx(spec, src, diag, true, NULL, NULL, &header);
        if (!status_ok(status))
            return status;
        found = (LrDataShape){header.features, 1, header.n, header.n, header.shape};
    }
    if (shape)
        *shape = found;
    return status_of(LR_OK);
}

LrStatus data_feature_names(const LrDatasetSpec *spec, const LrSource *src, LrDiag *diag,
                            const char *const **names, int *count)
{
    *names = NULL;
    *count = spec->kind == DATA_MOONS || spec->kind == DATA_SPIRAL ? 2 : spec->features;
    if (spec->kind == DATA_IDX) {
        LrDataShape shape = {0};
        LrStatus status = data_check_columns(spec, src, diag, &shape);
        *count = shape.features;
        return status;
    }
    if (spec->kind != DATA_CSV)
        return status_of(LR_OK);
    LrDataset header;
    memset(&header, 0, sizeof header);
    bool unused = false;
    LrStatus status = load_csv(spec, src, diag, READ_HEADER, NULL, false, &unused, NULL, &header);
    if (status_ok(status)) {
        *names = header.feature_names;
        *count = header.features;
    }
    return status;
}

LrStatus data_check_values(const LrDatasetSpec *spec, const LrSource *src, LrDiag *diag)
{
    if (spec->kind != DATA_CSV)
        return status_of(LR_OK);
    LrDataset unused_data;
    memset(&unused_data, 0, sizeof unused_data);
    bool unused = false;
    return load_csv(spec, src, diag, READ_CHECK, NULL, false, &unused, NULL, &unused_data);
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

/* Generates rows [first, first + count) of a generated data set (count
 * < 0: all of them). */
static LrStatus generate(const LrDatasetSpec *spec, int index, uint64_t seed,
                         const LrSource *src, LrDiag *diag, int64_t first, int64_t count,
                         LrDataset *out)
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
    if (count < 0)
        count = spec->n;
    size_t xb, yb, cb;
    LrDataShape shape = {features, 1, spec->n, spec->n, {0, {0}}};
    if (!data_bytes(spec, &shape, count > 0 ? count : 1, &xb, &yb, &cb)) {
        out_of_memory(spec, src, diag);
        return status_of(LR_RUN_FAILED);
    }
    out->n = count;
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
        synth_linear(spec, &rng, first, count, out->x, out->y);
        break;
    case DATA_BLOBS:
        synth_blobs(spec, &rng, first, count, out->x, out->y, centers);
        break;
    case DATA_MOONS:
        synth_moons(spec, &rng, first, count, out->x, out->y);
        break;
    case DATA_SPIRAL:
        synth_spiral(spec, &rng, first, count, out->x, out->y);
        break;
    case DATA_CSV:
    case DATA_IDX:
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

static LrStatus no_training_rows(const LrDatasetSpec *spec, const LrSource *src, LrDiag *diag,
                                 int64_t n, int64_t n_val, int64_t n_test)
{
    const char *name = spec->name && spec->name[0] ? spec->name : "";
    diag_error(diag, src, spec->span,
               "dataset%s%s%s has no rows left for training (%lld rows: %lld held out for "
               "validation, %lld for test)",
               name[0] ? " '" : "", name, name[0] ? "'" : "", (long long)n, (long long)n_val,
               (long long)n_test);
    return status_of(LR_LANGUAGE_ERROR);
}

/* Partial Fisher-Yates over rows[0 .. count): the first n_test drawn are
 * test rows, the next n_val validation rows. */
static void draw_held_out(LrRng *rng, int64_t *rows, int64_t count, int64_t n_test, int64_t n_val,
                          unsigned char *part)
{
    for (int64_t i = 0; i < n_test + n_val; i++) {
        int64_t j = i + (int64_t)rng_below(rng, (uint64_t)(count - i));
        int64_t t = rows[i];
        rows[i] = rows[j];
        rows[j] = t;
        part[rows[i]] = i < n_test ? PART_TEST : PART_VALIDATION;
    }
}

static int by_value(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* stratify=true: the rows grouped by class (the label's value; classes in
 * increasing order, rows in file order within each), each class's held-out
 * rows drawn within it (data.h). Fills part; returns 0, -1 after reporting
 * labels that are not classes, -2 when out of memory. */
static int stratified_parts(const LrDatasetSpec *spec, const LrDataset *d, LrRng *rng,
                            const LrSource *src, LrDiag *diag, unsigned char *part,
                            int64_t *n_val, int64_t *n_test)
{
    const int64_t n = d->n;
    for (int64_t i = 0; i < n; i++) {
        float y = d->y[(size_t)i * (size_t)d->targets];
        if (d->targets != 1 || y != floorf(y)) {
            diag_error(diag, src, spec->span,
                       "stratify=true needs labels that are classes, but row %lld of dataset "
                       "'%s' has the label %g",
                       (long long)i + 1, spec->name && spec->name[0] ? spec->name : "(unnamed)",
                       (double)y);
            return -1;
        }
    }
    float *values = malloc((size_t)n * sizeof *values);
    int64_t *rows = malloc((size_t)n * sizeof *rows);
    int64_t *begin = malloc(((size_t)n + 1) * sizeof *begin);
    int *class_of = malloc((size_t)n * sizeof *class_of);
    if (!values || !rows || !begin || !class_of) {
        free(values), free(rows), free(begin), free(class_of);
        return -2;
    }
    for (int64_t i = 0; i < n; i++)
        values[i] = d->y[i];
    qsort(values, (size_t)n, sizeof *values, by_value);
    int classes = 0;
    for (int64_t i = 0; i < n; i++)
        if (i == 0 || values[i] != values[classes - 1])
            values[classes++] = values[i];
    /* A counting sort: begin[c] is where class c's rows start in rows. */
    for (int c = 0; c <= classes; c++)
        begin[c] = 0;
    for (int64_t i = 0; i < n; i++) {
        const float *at = bsearch(&d->y[i], values, (size_t)classes, sizeof *values, by_value);
        class_of[i] = (int)(at - values);
        begin[class_of[i] + 1]++;
    }
    for (int c = 0; c < classes; c++)
        begin[c + 1] += begin[c];
    int64_t *fill = malloc((size_t)classes * sizeof *fill);
    if (!fill) {
        free(values), free(rows), free(begin), free(class_of);
        return -2;
    }
    memcpy(fill, begin, (size_t)classes * sizeof *fill);
    for (int64_t i = 0; i < n; i++)
        rows[fill[class_of[i]]++] = i;
    *n_val = *n_test = 0;
    for (int c = 0; c < classes; c++) {
        int64_t count = begin[c + 1] - begin[c];
        int64_t t = held_out(spec->test, count), v = held_out(spec->validation, count);
        if (t + v > count) /* a class too small for both shares: test's first */
            v = count - t;
        draw_held_out(rng, rows + begin[c], count, t, v, part);
        *n_test += t;
        *n_val += v;
    }
    free(values), free(rows), free(begin), free(class_of), free(fill);
    return 0;
}

/* Every row's part (PART_*, n bytes into part, drawn as data.h says) of a
 * data set of n rows whose labels (targets each), for stratify=true, are
 * y. *n_val and *n_test become the held-out counts. LR_OK, or the status
 * after reporting (no training rows, labels that are not classes, out of
 * memory). */
static LrStatus draw_parts(const LrDatasetSpec *spec, int index, uint64_t seed,
                           const LrSource *src, LrDiag *diag, int64_t n, const float *y,
                           int targets, unsigned char *part, int64_t *n_val, int64_t *n_test)
{
    *n_test = held_out(spec->test, n);
    *n_val = held_out(spec->validation, n);
    if (!spec->stratify && *n_test + *n_val >= n)
        return no_training_rows(spec, src, diag, n, *n_val, *n_test);
    memset(part, PART_TRAIN, (size_t)n);
    if (*n_test + *n_val == 0)
        return status_of(LR_OK);
    int64_t *perm = malloc((size_t)n * sizeof *perm);
    if (!perm) {
        out_of_memory(spec, src, diag);
        return status_of(LR_RUN_FAILED);
    }
    for (int64_t i = 0; i < n; i++)
        perm[i] = i;
    LrRng rng;
    rng_seed(&rng, seed, RNG_STREAM_SPLIT + RNG_DATASET_STRIDE * (uint64_t)index);
    int drawn = 0;
    if (spec->stratify) {
        LrDataset labels = {.n = n, .targets = targets, .y = (float *)y};
        drawn = stratified_parts(spec, &labels, &rng, src, diag, part, n_val, n_test);
    } else {
        draw_held_out(&rng, perm, n, *n_test, *n_val, part);
    }
    free(perm);
    if (drawn == -2) {
        out_of_memory(spec, src, diag);
        return status_of(LR_RUN_FAILED);
    }
    if (drawn < 0)
        return status_of(LR_LANGUAGE_ERROR);
    if (*n_test + *n_val >= n)
        return no_training_rows(spec, src, diag, n, *n_val, *n_test);
    return status_of(LR_OK);
}

/* Moves d's rows (rows [first, first + d->n) of the whole, whose parts
 * are part[]) into part order, each part's in file order, with room for
 * room[p] rows after part p's (zeroed). part_begin and part_count become
 * this layout's. The training rows stay where they are, moved up over the
 * held-out ones, which wait in a copy of their own: the memory needed
 * beyond the rows is the held-out rows' and the room's, not the rows'
 * again. Returns 0, or -1 when out of memory (d's rows are then lost: the
 * caller frees d). */
static int arrange_parts(LrDataset *d, const unsigned char *part, int64_t first,
                         const int64_t room[3])
{
    int64_t count[3] = {0, 0, 0};
    for (int64_t i = 0; i < d->n; i++)
        count[part[first + i]]++;
    int64_t held = 0, begin[3];
    for (int p = 0; p < 3; p++) {
        begin[p] = held;
        held += count[p] + room[p];
    }
    const size_t f = (size_t)d->features, tg = (size_t)d->targets;
    const size_t aside = (size_t)(count[PART_VALIDATION] + count[PART_TEST]);
    size_t xb, yb;
    float *x_aside = NULL, *y_aside = NULL;
    if (!size_mul((size_t)(held > 0 ? held : 1), f, sizeof(float), &xb) ||
        !size_mul((size_t)(held > 0 ? held : 1), tg, sizeof(float), &yb) ||
        !(x_aside = malloc(aside * f * sizeof(float) + 1)) ||
        !(y_aside = malloc(aside * tg * sizeof(float) + 1))) {
        free(x_aside);
        return -1;
    }
    /* The held-out rows aside (validation's, then test's), the training
     * rows moved up in place. */
    int64_t next[3] = {0, 0, 0};
    next[PART_TEST] = count[PART_VALIDATION];
    int64_t train = 0;
    for (int64_t i = 0; i < d->n; i++) {
        const int p = part[first + i];
        const float *xr = d->x + (size_t)i * f, *yr = d->y + (size_t)i * tg;
        if (p == PART_TRAIN) {
            memmove(d->x + (size_t)train * f, xr, f * sizeof(float));
            memmove(d->y + (size_t)train * tg, yr, tg * sizeof(float));
            train++;
        } else {
            size_t at = (size_t)next[p]++;
            memcpy(x_aside + at * f, xr, f * sizeof(float));
            memcpy(y_aside + at * tg, yr, tg * sizeof(float));
        }
    }
    float *x = realloc(d->x, xb), *y = x ? realloc(d->y, yb) : NULL;
    if (x)
        d->x = x;
    if (y)
        d->y = y;
    if (!x || !y) {
        free(x_aside);
        free(y_aside);
        return -1;
    }
    for (int p = 0; p < 3; p++) {
        d->part_begin[p] = begin[p];
        d->part_count[p] = count[p];
        const size_t from = p == PART_TEST ? (size_t)count[PART_VALIDATION] : 0;
        if (p != PART_TRAIN) {
            memcpy(x + (size_t)begin[p] * f, x_aside + from * f,
                   (size_t)count[p] * f * sizeof(float));
            memcpy(y + (size_t)begin[p] * tg, y_aside + from * tg,
                   (size_t)count[p] * tg * sizeof(float));
        }
        memset(x + (size_t)(begin[p] + count[p]) * f, 0, (size_t)room[p] * f * sizeof(float));
        memset(y + (size_t)(begin[p] + count[p]) * tg, 0, (size_t)room[p] * tg * sizeof(float));
    }
    free(x_aside);
    free(y_aside);
    d->n = held;
    return 0;
}

static LrStatus split(const LrDatasetSpec *spec, int index, uint64_t seed, const LrSource *src,
                      LrDiag *diag, LrDataset *d)
{
    const int64_t n = d->n;
    unsigned char *part = malloc((size_t)n);
    if (!part) {
        out_of_memory(spec, src, diag);
        return status_of(LR_RUN_FAILED);
    }
    int64_t n_val, n_test;
    LrStatus status = draw_parts(spec, index, seed, src, diag, n, d->y, d->targets, part, &n_val,
                                 &n_test);
    if (status_ok(status) && n_val + n_test == 0) {
        /* Every row trains, in place. */
        free(part);
        d->part_count[PART_TRAIN] = n;
        d->part_begin[PART_VALIDATION] = d->part_begin[PART_TEST] = n;
        return status;
    }
    static const int64_t no_room[3] = {0, 0, 0};
    if (status_ok(status) && arrange_parts(d, part, 0, no_room) < 0) {
        out_of_memory(spec, src, diag);
        status = status_of(LR_RUN_FAILED);
    }
    if (!status_ok(status)) {
        free(part);
        return status;
    }
    d->row_part = part;
    return status;
}

/* ---- the entry points -------------------------------------------------------- */

LrStatus data_load_labels(const LrDatasetSpec *spec, int index, uint64_t seed,
                          const LrSource *src, LrDiag *diag, const LrLabelRule *rule,
                          LrDataset *out)
{
    memset(out, 0, sizeof *out);
    LrStatus status;
    if (spec->kind == DATA_CSV) {
        bool text = rule && rule->class_names, found_text = false;
        status = load_csv(spec, src, diag, READ_ALL, rule, text, &found_text, NULL, out);
        /* A text label met after numeric ones: read again, all as text. */
        if (status_ok(status) && found_text) {
            data_free(out);
            found_text = false;
            status = load_csv(spec, src, diag, READ_ALL, rule, true, &found_text, NULL, out);
        }
    } else if (spec->kind == DATA_IDX) {
        status = load_idx(spec, src, diag, false, rule, NULL, out);
    } else {
        status = generate(spec, index, seed, src, diag, 0, -1, out);
    }
    if (status_ok(status))
        status = split(spec, index, seed, src, diag, out);
    if (!status_ok(status))
        data_free(out);
    return status;
}

/* ---- shares (under mpirun) ------------------------------------------------- */

int64_t data_share_rows(int64_t rows, int ranks, int64_t halo)
{
    return (rows + ranks - 1) / ranks + 3 * halo;
}

/* Reads this rank's file rows into out (unsplit). Every rank returns the
 * same status. */
static LrStatus read_share(const LrDatasetSpec *spec, int index, uint64_t seed,
                           const LrSource *src, LrDiag *diag, const LrLabelRule *rule,
                           LrDataset *out)
{
    const int rank = dist_rank(), ranks = dist_size();
    LrStatus status;
    if (spec->kind == DATA_CSV) {
        const char *path = spec->resolved_path ? spec->resolved_path : spec->path;
        struct stat st;
        int64_t size = stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
        CsvRange range = {size / ranks * rank + size % ranks * rank / ranks, INT64_MAX};
        if (rank + 1 < ranks)
            range.hi = size / ranks * (rank + 1) + size % ranks * (rank + 1) / ranks;
        bool text = rule && rule->class_names, found_text = false;
        status = dist_agree(
            load_csv(spec, src, diag, READ_ALL, rule, text, &found_text, &range, out));
        /* A text label on any rank: every rank reads them all as text. */
        if (status_ok(status) && dist_any(found_text)) {
            data_free(out);
            found_text = false;
            status = dist_agree(
                load_csv(spec, src, diag, READ_ALL, rule, true, &found_text, &range, out));
        }
        /* The last rank read the file to its end, and hashed it. */
        if (status_ok(status))
            dist_broadcast_bytes(out->sha256, sizeof out->sha256, ranks - 1);
    } else if (spec->kind == DATA_IDX) {
        const int share[2] = {rank, ranks};
        status = dist_agree(load_idx(spec, src, diag, false, rule, share, out));
        if (status_ok(status)) {
            dist_broadcast_bytes(out->sha256, sizeof out->sha256, 0);
            dist_broadcast_bytes(out->labels_sha256, sizeof out->labels_sha256, 0);
        }
    } else {
        int64_t first = spec->n * rank / ranks;
        status = dist_agree(generate(spec, index, seed, src, diag, first,
                                     spec->n * (rank + 1) / ranks - first, out));
    }
    return status;
}

/* Every rank's rows of each part: starts[p * (ranks + 1) + r] is the part
 * row of rank r's first, from the parts of the whole's rows and where
 * each rank's begin (begin[ranks] = rows). */
static void part_starts(const unsigned char *part, const int64_t *begin, int ranks,
                        int64_t *starts)
{
    int64_t seen[3] = {0, 0, 0};
    for (int r = 0; r <= ranks; r++) {
        for (int64_t i = r ? begin[r - 1] : 0; i < begin[r]; i++)
            seen[part[i]]++;
        for (int p = 0; p < 3; p++)
            starts[p * (ranks + 1) + r] = seen[p];
    }
}

/* The rows of part rows [start[w + 1], start[w + 1] + halo) that rank w
 * holds after its own (halo: at most halo_rows, within the part) and rank
 * o owns: [*lo, *hi), empty when *lo >= *hi. */
static void halo_overlap(const int64_t *start, int64_t total, int64_t halo_rows, int w, int o,
                         int64_t *lo, int64_t *hi)
{
    int64_t from = start[w + 1], halo = total - from < halo_rows ? total - from : halo_rows;
    *lo = from > start[o] ? from : start[o];
    *hi = from + halo < start[o + 1] ? from + halo : start[o + 1];
}

/* The halo of part `part`: each rank's rows after its own come from the
 * ranks that own them. Every rank calls it; LR_OK, or LR_RUN_FAILED on
 * every rank when one is out of memory (reported there). */
static LrStatus fill_halo(const LrDatasetSpec *spec, const LrSource *src, LrDiag *diag,
                          LrDataset *d, int part, int64_t halo_rows)
{
    const LrDataShare *sh = &d->share;
    const int rank = dist_rank(), ranks = sh->ranks;
    const int64_t *start = sh->starts + (size_t)part * (size_t)(ranks + 1);
    const int64_t total = sh->part_total[part];
    const size_t f = (size_t)d->features, t = (size_t)d->targets, width = f + t;
    int *counts = calloc(4 * (size_t)ranks, sizeof *counts);
    int *send_at = counts + ranks, *recv_counts = counts + 2 * ranks;
    int *recv_at = counts + 3 * ranks;
    int64_t sent = 0, received = 0, lo, hi;
    for (int r = 0; counts && r < ranks; r++) {
        halo_overlap(start, total, halo_rows, r, rank, &lo, &hi);
        send_at[r] = (int)(sent * (int64_t)width);
        counts[r] = hi > lo ? (int)((hi - lo) * (int64_t)width) : 0;
        sent += hi > lo ? hi - lo : 0;
        halo_overlap(start, total, halo_rows, rank, r, &lo, &hi);
        recv_at[r] = (int)(received * (int64_t)width);
        recv_counts[r] = hi > lo ? (int)((hi - lo) * (int64_t)width) : 0;
        received += hi > lo ? hi - lo : 0;
    }
    float *send = counts ? malloc(((size_t)sent * width + 1) * sizeof *send) : NULL;
    float *recv = send ? malloc(((size_t)received * width + 1) * sizeof *recv) : NULL;
    LrStatus status = status_of(recv ? LR_OK : LR_RUN_FAILED);
    if (!recv)
        out_of_memory(spec, src, diag);
    if (status_ok(status = dist_agree(status))) {
        float *at = send;
        for (int r = 0; r < ranks; r++) {
            halo_overlap(start, total, halo_rows, r, rank, &lo, &hi);
            for (int64_t i = lo; i < hi; i++, at += width) {
                size_t row = (size_t)(d->part_begin[part] + i - start[rank]);
                memcpy(at, d->x + row * f, f * sizeof *at);
                memcpy(at + f, d->y + row * t, t * sizeof *at);
            }
        }
        dist_exchange(send, counts, send_at, recv, recv_counts, recv_at);
        at = recv;
        for (int r = 0; r < ranks; r++) {
            halo_overlap(start, total, halo_rows, rank, r, &lo, &hi);
            for (int64_t i = lo; i < hi; i++, at += width) {
                size_t row = (size_t)(d->part_begin[part] + d->part_count[part] + i -
                                      start[rank + 1]);
                memcpy(d->x + row * f, at, f * sizeof *at);
                memcpy(d->y + row * t, at + f, t * sizeof *at);
            }
        }
    }
    free(send);
    free(recv);
    free(counts);
    return status;
}

LrStatus data_load_share(const LrDatasetSpec *spec, int index, uint64_t seed, const LrSource *src,
                         LrDiag *diag, const LrLabelRule *rule, int64_t halo, LrDataset *out)
{
    memset(out, 0, sizeof *out);
    const int rank = dist_rank(), ranks = dist_size();
    LrStatus status = read_share(spec, index, seed, src, diag, rule, out);
    if (!status_ok(status)) {
        data_free(out);
        return status;
    }
    int64_t *begin = calloc((size_t)ranks + 1, sizeof *begin);
    int64_t *starts = calloc(3 * ((size_t)ranks + 1), sizeof *starts);
    int64_t total = 0, first = 0;
    unsigned char *part = NULL;
    float *labels = NULL;
    bool oom = !begin || !starts;
    status = status_of(oom ? LR_RUN_FAILED : LR_OK);
    if (status_ok(status = dist_agree(status))) {
        /* Rank r's rows begin at begin[r] of the whole. */
        dist_gather_int64(out->n, begin + 1);
        for (int r = 0; r < ranks; r++)
            begin[r + 1] += begin[r];
        total = begin[ranks];
        first = begin[rank];
        if (total == 0) {
            diag_file_error(diag, spec->path, 1, 0, "no data rows");
            status = status_of(LR_LANGUAGE_ERROR);
        }
    }
    /* stratify=true draws from every label: each rank's, gathered (MPI
     * counts their bytes in an int). */
    const size_t label_bytes = (size_t)out->targets * sizeof(float);
    if (status_ok(status) && spec->stratify && (size_t)total * label_bytes > INT_MAX) {
        diag_error(diag, src, spec->span,
                   "stratify=true under mpirun gathers every label, and %lld rows' labels "
                   "pass 2 GiB",
                   (long long)total);
        status = status_of(LR_RUN_FAILED);
    } else if (status_ok(status) && spec->stratify) {
        labels = malloc((size_t)total * label_bytes);
        int *counts = calloc(2 * (size_t)ranks, sizeof *counts);
        oom = !labels || !counts;
        status = status_of(oom ? LR_RUN_FAILED : LR_OK);
        if (status_ok(status = dist_agree(status))) {
            int *at = counts + ranks;
            for (int r = 0; r < ranks; r++) {
                counts[r] = (int)((begin[r + 1] - begin[r]) * (int64_t)label_bytes);
                at[r] = (int)(begin[r] * (int64_t)label_bytes);
            }
            if (out->n)
                memcpy(labels + (size_t)first * (size_t)out->targets, out->y,
                       (size_t)out->n * label_bytes);
            dist_gather_bytes(labels, counts, at);
        }
        free(counts);
    }
    if (status_ok(status)) {
        part = malloc((size_t)total);
        oom = !part;
        status = status_of(oom ? LR_RUN_FAILED : LR_OK);
    }
    int64_t n_val = 0, n_test = 0;
    if (status_ok(status))
        status = draw_parts(spec, index, seed, src, diag, total, labels, out->targets, part,
                            &n_val, &n_test);
    free(labels);
    if (status_ok(status)) {
        LrDataShare *sh = &out->share;
        part_starts(part, begin, ranks, starts);
        int64_t room[3];
        for (int p = 0; p < 3; p++) {
            const int64_t *start = starts + (size_t)p * ((size_t)ranks + 1);
            sh->part_total[p] = start[ranks];
            int64_t after = start[ranks] - start[rank + 1];
            room[p] = sh->halo[p] = after < halo ? after : halo;
        }
        sh->held = true;
        sh->rows = total;
        sh->ranks = ranks;
        sh->starts = starts;
        starts = NULL;
        if ((oom = arrange_parts(out, part, first, room) < 0))
            status = status_of(LR_RUN_FAILED);
    }
    if (oom)
        out_of_memory(spec, src, diag);
    status = dist_agree(status);
    for (int p = 0; status_ok(status) && p < 3; p++)
        status = fill_halo(spec, src, diag, out, p, halo);
    free(begin);
    free(starts);
    if (status_ok(status) && n_val + n_test > 0)
        out->row_part = part;
    else
        free(part);
    if (!status_ok(status))
        data_free(out);
    return status;
}

LrStatus data_load(const LrDatasetSpec *spec, int index, uint64_t seed, const LrSource *src,
                   LrDiag *diag, LrDataset *out)
{
    return data_load_labels(spec, index, seed, src, diag, NULL, out);
}

void data_free(LrDataset *d)
{
    free(d->x);
    free(d->y);
    free((void *)d->feature_names);
    free((void *)d->class_names);
    free(d->row_part);
    free(d->share.starts);
    memset(d, 0, sizeof *d);
}

/* The fit over rows [begin, begin + count) of d, of a part of `total` rows
 * in all: with `relay`, this rank's of a share, the sums running through
 * the ranks in the rows' order, a feature at a time (the ranks work on
 * different features at once), so that every rank ends with the numbers
 * one process holding every row computes. */
static void fit_rows(const LrDataset *d, LrNormalizeKind kind, int64_t begin, int64_t count,
                     int64_t total, bool relay, float *offset, float *scale)
{
    const size_t f = (size_t)d->features;
    for (size_t j = 0; j < f; j++) {
        offset[j] = 0.0f;
        scale[j] = 1.0f;
        if (kind == NORM_NONE || total <= 0)
            continue;
        const float *col = d->x + (size_t)begin * f + j;
        /* seen, lo, hi, sum: lo and hi start at the part's first value */
        double st[4] = {0, 0, 0, 0};
        if (relay)
            dist_relay_wait(st, 4);
        for (int64_t i = 0; i < count; i++) {
            double v = col[(size_t)i * f];
            if (!st[0]) {
                st[0] = 1;
                st[1] = st[2] = v;
            }
            st[3] += v;
            st[1] = v < st[1] ? v : st[1];
            st[2] = v > st[2] ? v : st[2];
        }
        if (relay)
            dist_relay_pass(st, 4);
        double lo = st[1], hi = st[2];
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
            off = st[3] / (double)total;
            double ss = 0;
            if (relay)
                dist_relay_wait(&ss, 1);
            for (int64_t i = 0; i < count; i++) {
                double e = col[(size_t)i * f] - off;
                ss += e * e;
            }
            if (relay)
                dist_relay_pass(&ss, 1);
            sc = sqrt(ss / (double)total);
        }
        offset[j] = (float)off;
        scale[j] = (float)sc > 0.0f ? (float)sc : 1.0f;
    }
}

void data_normalize_fit(const LrDataset *d, LrNormalizeKind kind, int64_t begin, int64_t count,
                        float *offset, float *scale)
{
    fit_rows(d, kind, begin, count, count, false, offset, scale);
}

void data_normalize_fit_part(const LrDataset *d, LrNormalizeKind kind, int part, float *offset,
                             float *scale)
{
    const LrDataShare *sh = &d->share;
    fit_rows(d, kind, d->part_begin[part], d->part_count[part],
             sh->held ? sh->part_total[part] : d->part_count[part], sh->held, offset, scale);
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
