/* predict.c — see predict.h. The data is read a block of rows at a time
 * (csv.c streams it), each block run forward through the model and
 * written out before the next is read, so a file of any size takes the
 * memory of one block. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "predict.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "data.h"
#include "decimal.h"
#include "diag.h"
#include "report.h"
#include "sandbox.h"
#include "sha256.h"

/* ------------------------------------------------------------------ writer */

/* text as one CSV field: quoted when it holds the delimiter, a quote, a
 * line break, or blanks at either end (which a reader may trim). */
static void csv_cell(LrBuffer *b, const char *text, size_t len)
{
    bool quote = len > 0 && (text[0] == ' ' || text[0] == '\t' || text[len - 1] == ' ' ||
                             text[len - 1] == '\t');
    for (size_t i = 0; i < len && !quote; i++)
        quote = text[i] == ',' || text[i] == '"' || text[i] == '\n' || text[i] == '\r';
    if (!quote) {
        buffer_append(b, text, len);
        return;
    }
    buffer_append(b, "\"", 1);
    for (size_t i = 0; i < len; i++)
        buffer_append(b, text[i] == '"' ? "\"\"" : &text[i], text[i] == '"' ? 2 : 1);
    buffer_append(b, "\"", 1);
}

static void name_cell(LrBuffer *b, const char *prefix, const char *name)
{
    LrBuffer cell = {0};
    buffer_printf(&cell, "%s%s", prefix, name);
    csv_cell(b, cell.data ? cell.data : "", cell.length);
    b->failed |= cell.failed;
    buffer_free(&cell);
}

static void number_cell(LrBuffer *b, float v)
{
    char text[DECIMAL_SHORTEST_SIZE];
    size_t n = decimal_shortest_float(v, text);
    buffer_append(b, text, n);
}

static void keep_cells(LrBuffer *b, const char *const *keep, const size_t *keep_len,
                       int keep_count)
{
    for (int i = 0; i < keep_count; i++) {
        csv_cell(b, keep[i], keep_len ? keep_len[i] : strlen(keep[i]));
        buffer_append(b, ",", 1);
    }
}

void predict_header(LrBuffer *b, const LrModelDesc *desc, const char *const *keep,
                    int keep_count)
{
    keep_cells(b, keep, NULL, keep_count);
    if (desc->output == OUTPUT_REGRESSION) {
        for (int j = 0; j < desc->outputs; j++) {
            if (desc->outputs == 1) {
                buffer_append(b, "prediction", strlen("prediction"));
            } else {
                buffer_printf(b, "%sprediction_%d", j ? "," : "", j + 1);
            }
        }
    } else {
        buffer_append(b, "class", strlen("class"));
        int first = desc->output == OUTPUT_BINARY ? 1 : 0;
        for (int j = first; j < desc->class_count; j++) {
            buffer_append(b, ",", 1);
            name_cell(b, "prob_", desc->class_names[j]);
        }
    }
    buffer_append(b, "\n", 1);
}

void predict_row(LrBuffer *b, const LrModelDesc *desc, const char *const *keep,
                 const size_t *keep_len, int keep_count, const float *outputs)
{
    keep_cells(b, keep, keep_len, keep_count);
    if (desc->output == OUTPUT_REGRESSION) {
        for (int j = 0; j < desc->outputs; j++) {
            if (j)
                buffer_append(b, ",", 1);
            number_cell(b, outputs[j]);
        }
    } else if (desc->output == OUTPUT_BINARY) {
        csv_cell(b, desc->class_names[outputs[0] > 0.5f],
                 strlen(desc->class_names[outputs[0] > 0.5f]));
        buffer_append(b, ",", 1);
        number_cell(b, outputs[0]);
    } else {
        int best = 0;
        for (int j = 1; j < desc->outputs; j++)
            if (outputs[j] > outputs[best])
                best = j;
        csv_cell(b, desc->class_names[best], strlen(desc->class_names[best]));
        for (int j = 0; j < desc->outputs; j++) {
            buffer_append(b, ",", 1);
            number_cell(b, outputs[j]);
        }
    }
    buffer_append(b, "\n", 1);
}

/* ----------------------------------------------------------------- command */

/* Where the CSV goes: a file written atomically, or stdout. */
typedef struct Sink {
    LrFileStream file;
    bool to_file;
} Sink;

static int sink_write(Sink *s, LrBuffer *b)
{
    char why[PATH_MAX + 100];
    int status = 0;
    if (b->failed) {
        diag_plain("out of memory");
        status = -1;
    } else if (s->to_file) {
        if (b->length > 0 && file_stream_write(&s->file, b->data, b->length, why, sizeof why) < 0) {
            diag_plain("%s", why);
            status = -1;
        }
    } else if (b->length > 0) {
        report_rows(b->data, b->length);
        if (report_failed())
            status = -1; /* main says why, from report_flush */
    }
    b->length = 0;
    if (b->data)
        b->data[0] = '\0';
    return status;
}

/* The column names of the header (blanks around them dropped), NULL
 * ended, for diag_suggest. */
typedef struct Header {
    int count;
    char **names;
} Header;

static void header_free(Header *h)
{
    for (int i = 0; h->names && i < h->count; i++)
        free(h->names[i]);
    free(h->names);
    h->names = NULL;
}

/* A file without a header (csv(..., header=false)) has columns 1, 2, ... */
static int header_read(Header *h, const LrCsvReader *r, bool named)
{
    h->count = r->field_count;
    h->names = calloc((size_t)h->count + 1, sizeof *h->names);
    for (int i = 0; h->names && i < h->count; i++) {
        char number[16];
        size_t len = (size_t)snprintf(number, sizeof number, "%d", i + 1);
        const char *s = named ? csv_field(r, i, &len) : number;
        while (len > 0 && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (!(h->names[i] = strndup(s, len)))
            return -1;
    }
    return h->names ? 0 : -1;
}

/* The column of name in the data's header, or -1 after reporting it
 * missing (what names it: "the model's input", "--keep") or repeated. */
static int find_column(const Header *h, const char *file, const char *name, const char *what,
                       LrDiag *diag)
{
    int found = -1, count = 0;
    for (int i = 0; i < h->count; i++)
        if (strcmp(h->names[i], name) == 0 && count++ == 0)
            found = i;
    if (count > 1) {
        diag_file_error(diag, file, 1, 0, "column '%s' appears %d times in the header", name,
                        count);
        return -1;
    }
    if (found >= 0)
        return found;
    const char *near = diag_suggest(name, strlen(name), (const char *const *)h->names);
    if (near)
        diag_file_error(diag, file, 1, 0, "%s '%s' is not a column; did you mean '%s'?", what,
                        name, near);
    else
        diag_file_error(diag, file, 1, 0, "%s '%s' is not a column of the file", what, name);
    return -1;
}

/* -o: never the data or the model, nor a file lrc keeps in the model's run
 * directory; an existing file only with --force. */
static LrStatus check_output(const LrPredictOptions *o, const LrModel *m, LrSandbox *box)
{
    char why[2 * PATH_MAX + 200];
    char real_out[PATH_MAX], real_in[PATH_MAX];
    struct stat st;
    bool exists = lstat(o->output, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        diag_plain("-o '%s' is a directory; give a file name", o->output);
        return status_of(LR_LANGUAGE_ERROR);
    }
    const char *inputs[2] = {o->data, m->path};
    for (int i = 0; exists && i < 2; i++) {
        if (realpath(o->output, real_out) && realpath(inputs[i], real_in) &&
            strcmp(real_out, real_in) == 0) {
            diag_plain("-o '%s' is the %s being read", o->output, i == 0 ? "data" : "model");
            return status_of(LR_LANGUAGE_ERROR);
        }
    }
    if (sandbox_check_write(box, o->output, why, sizeof why) < 0) {
        diag_plain("%s", why);
        return status_of(LR_LANGUAGE_ERROR);
    }
    if (exists && !o->force) {
        diag_plain("'%s' already exists: give --force to replace it", o->output);
        return status_of(LR_LANGUAGE_ERROR);
    }
    return status_of(LR_OK);
}

/* What predict may touch once it runs: the model's and the data's
 * directories for reading, -o's for writing; a run directory's own files
 * are not -o targets (sandbox.h). */
static int build_box(LrSandbox *box, const LrPredictOptions *o, const LrModel *m)
{
    char dir[PATH_MAX];
    const char *paths[3] = {m->path, o->data, o->output};
    int failed = 0;
    for (int i = 0; i < 3 && !failed; i++) {
        if (!paths[i])
            continue;
        const char *slash = strrchr(paths[i], '/');
        if (slash)
            snprintf(dir, sizeof dir, "%.*s", slash == paths[i] ? 1 : (int)(slash - paths[i]),
                     paths[i]);
        else
            snprintf(dir, sizeof dir, ".");
        failed |= i < 2 ? sandbox_allow_read(box, dir, true) : sandbox_allow_write(box, dir, true);
        if (i == 0 && strcmp(m->path, o->model) != 0)
            failed |= sandbox_set_run_dir(box, o->model);
    }
    box->write_place = "-o's directory";
    return failed ? -1 : 0;
}

/* The state of one streaming pass. */
typedef struct Stream {
    LrModel *model;
    const LrPredictOptions *options;
    int *feature_col, *keep_col;
    float *x;                 /* block x features */
    LrBuffer keep_text;       /* the block's kept fields, back to back */
    size_t *keep_offset, *keep_len; /* block x keep_count */
    const char **keep_ptr;    /* one row's, pointing into keep_text */
    LrBuffer out;
    int rows;                 /* in the block */
} Stream;

static void stream_free(Stream *s)
{
    free(s->feature_col);
    free(s->keep_col);
    free(s->x);
    free(s->keep_offset);
    free(s->keep_len);
    free(s->keep_ptr);
    buffer_free(&s->keep_text);
    buffer_free(&s->out);
}

static int flush_block(Stream *s, Sink *sink)
{
    if (s->rows == 0)
        return 0;
    const LrModelDesc *d = &s->model->desc;
    LrTensor y = model_forward(s->model, s->x, s->rows);
    int kc = s->options->keep_count;
    for (int i = 0; i < s->rows; i++) {
        for (int k = 0; k < kc; k++)
            s->keep_ptr[k] = s->keep_text.data + s->keep_offset[(size_t)i * (size_t)kc + (size_t)k];
        predict_row(&s->out, d, s->keep_ptr, s->keep_len + (size_t)i * (size_t)kc, kc,
                    y.data + (size_t)i * (size_t)y.ld);
    }
    s->rows = 0;
    s->keep_text.length = 0;
    return sink_write(sink, &s->out);
}

/* Ctrl-C (or SIGTERM) during a predict: the rows stop at the next one,
 * and -o's temporary file is removed, so nothing is left half-written.
 * Process-wide because a handler can reach nothing else. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

static void catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static LrStatus stream_rows(Stream *s, LrCsvReader *r, const Header *h, Sink *sink, LrDiag *diag)
{
    const LrModelDesc *d = &s->model->desc;
    const int f = d->features, kc = s->options->keep_count;
    bool writing = true;
    int rc;
    while (diag->errors < 20 && (rc = csv_next(r)) == 1) {
        if (stop_signal)
            return status_interrupted(stop_signal);
        if (r->field_count != h->count) {
            diag_file_error(diag, r->name, csv_line_int(r->record_line), 0,
                            "row has %d field%s but the header has %d", r->field_count,
                            r->field_count == 1 ? "" : "s", h->count);
            writing = false;
            continue;
        }
        float *x = s->x + (size_t)s->rows * (size_t)f;
        bool bad = false;
        for (int j = 0; j < f && diag->errors < 20; j++) {
            size_t len;
            int col = s->feature_col[j];
            const char *text = csv_field(r, col, &len);
            LrValueError e = data_parse_value(text, len, &x[j]);
            if (e != VALUE_OK) {
                data_value_error(diag, r->name, csv_line_int(r->field_line[col]), col + 1,
                                 h->names[col], text, len, e);
                bad = true;
            }
        }
        if (bad)
            writing = false;
        if (!writing)
            continue;
        for (int k = 0; k < kc; k++) {
            size_t len, at = (size_t)s->rows * (size_t)kc + (size_t)k;
            const char *text = csv_field(r, s->keep_col[k], &len);
            s->keep_offset[at] = s->keep_text.length;
            s->keep_len[at] = len;
            buffer_append(&s->keep_text, text, len);
            buffer_append(&s->keep_text, "", 1);
        }
        if (++s->rows == s->model->block && flush_block(s, sink) < 0)
            return status_of(LR_RUN_FAILED);
    }
    if (diag->errors > 0 || rc < 0)
        return status_of(LR_LANGUAGE_ERROR);
    if (flush_block(s, sink) < 0)
        return status_of(LR_RUN_FAILED);
    return status_of(LR_OK);
}

LrStatus predict_command(const LrPredictOptions *o)
{
    char why[2 * PATH_MAX + 200];
    LrDiag diag;
    diag_init(&diag, stderr);
    LrModel model;
    LrCsvReader reader;
    memset(&reader, 0, sizeof reader);
    Header header = {0};
    LrSandbox box = {0};
    Sink sink = {.file = {.fd = -1}, .to_file = false};
    Stream s = {.model = &model, .options = o};
    LrStatus status = status_of(LR_LANGUAGE_ERROR);
    if (model_open(&model, o->model, MODEL_PASS_ROWS, why, sizeof why) != 0) {
        diag_plain("%s", why);
        goto done;
    }
    const LrModelDesc *d = &model.desc;
    if (build_box(&box, o, &model) < 0) {
        diag_plain("out of memory");
        status = status_of(LR_RUN_FAILED);
        goto done;
    }
    if (o->output && !status_ok(status = check_output(o, &model, &box)))
        goto done;
    status = status_of(LR_LANGUAGE_ERROR);
    if (csv_open(&reader, o->data, o->data, o->delimiter, NULL, &diag, why, sizeof why) < 0) {
        diag_plain("cannot read '%s': %s", o->data, why);
        goto done;
    }
    int rc = csv_next(&reader);
    if (rc == 0)
        diag_file_error(&diag, o->data, 1, 0, "no header: the file is empty");
    if (rc <= 0)
        goto done;
    if (header_read(&header, &reader, true) < 0) {
        diag_plain("out of memory");
        status = status_of(LR_RUN_FAILED);
        goto done;
    }
    size_t block = (size_t)model.block, kc = (size_t)o->keep_count;
    s.feature_col = malloc((size_t)d->features * sizeof *s.feature_col);
    s.keep_col = malloc((kc ? kc : 1) * sizeof *s.keep_col);
    s.x = malloc(block * (size_t)d->features * sizeof *s.x);
    s.keep_offset = malloc((kc ? kc : 1) * block * sizeof *s.keep_offset);
    s.keep_len = malloc((kc ? kc : 1) * block * sizeof *s.keep_len);
    s.keep_ptr = malloc((kc ? kc : 1) * sizeof *s.keep_ptr);
    if (!s.feature_col || !s.keep_col || !s.x || !s.keep_offset || !s.keep_len || !s.keep_ptr) {
        diag_plain("out of memory");
        status = status_of(LR_RUN_FAILED);
        goto done;
    }
    bool missing = false;
    for (int j = 0; j < d->features; j++)
        missing |= (s.feature_col[j] =
                        find_column(&header, o->data, d->feature_names[j],
                                                    "the model's input", &diag)) < 0;
    for (size_t k = 0; k < kc; k++)
        missing |= (s.keep_col[k] = find_column(&header, o->data, o->keep[k], "--keep", &diag)) < 0;
    if (missing)
        goto done;
    if (o->output) {
        if (file_stream_open(&sink.file, o->output, why, sizeof why) < 0) {
            diag_plain("%s", why);
            status = status_of(LR_RUN_FAILED);
            goto done;
        }
        sink.to_file = true;
    }
    /* Everything predict reads or writes is open: from here the kernel
     * holds it to those directories, as a run is held. */
    if (sandbox_enforce(&box, why, sizeof why) < 0) {
        diag_plain("%s", why);
        status = status_of(LR_RUN_FAILED);
        goto done;
    }
    catch_stop_signals();
    predict_header(&s.out, d, o->keep, o->keep_count);
    if (sink_write(&sink, &s.out) < 0) {
        status = status_of(LR_RUN_FAILED);
        goto done;
    }
    status = stream_rows(&s, &reader, &header, &sink, &diag);
    if (status.outcome == LR_INTERRUPTED)
        diag_info("interrupted%s%s%s", o->output ? ": '" : "", o->output ? o->output : "",
                   o->output ? "' is not written" : "");
    if (status_ok(status) && sink.to_file &&
        file_stream_commit(&sink.file, why, sizeof why) < 0) {
        diag_plain("%s", why);
        status = status_of(LR_RUN_FAILED);
    }
done:
    file_stream_abort(&sink.file);
    stream_free(&s);
    header_free(&header);
    csv_close(&reader);
    sandbox_free(&box);
    model_close(&model);
    return status;
}

/* ------------------------------------------------------------- statement */

/* Opens the CSV file of data set d and reads its first record into names;
 * resolves p's keep= there (each unknown name reported at its span, with
 * the closest column). hash, when not NULL, receives the bytes read.
 * Returns LR_OK, LR_LANGUAGE_ERROR after reporting, or LR_RUN_FAILED (the
 * file cannot be read now, memory). */
static LrStatus keep_open(const LrPredictSpec *p, const LrDatasetSpec *d, LrSha256 *hash,
                          const LrSource *src, LrDiag *diag, LrCsvReader *r, Header *names,
                          int *cols)
{
    char why[PATH_MAX + 100];
    const char *path = d->resolved_path ? d->resolved_path : d->path;
    if (csv_open(r, path, d->path, d->delimiter ? d->delimiter : ',', hash, diag, why,
                 sizeof why) < 0) {
        diag_error(diag, src, p->keep_span, "cannot read data file '%s': %s", d->path, why);
        return status_of(LR_RUN_FAILED);
    }
    int rc = csv_next(r);
    if (rc <= 0)
        return status_of(LR_LANGUAGE_ERROR); /* data_load says what */
    if (header_read(names, r, d->header) < 0) {
        diag_error(diag, src, p->span, "out of memory");
        return status_of(LR_RUN_FAILED);
    }
    LrStatus status = status_of(LR_OK);
    for (int k = 0; k < p->keep_count; k++) {
        LrSpan at = p->keep_spans ? p->keep_spans[k] : p->keep_span;
        int found = -1;
        for (int i = 0; i < names->count && found < 0; i++)
            if (strcmp(names->names[i], p->keep[k]) == 0)
                found = i;
        if (found < 0) {
            const char *near =
                diag_suggest(p->keep[k], strlen(p->keep[k]), (const char *const *)names->names);
            if (near)
                diag_error(diag, src, at, "unknown column '%s'; did you mean '%s'?", p->keep[k],
                           near);
            else
                diag_error(diag, src, at, "unknown column '%s' in '%s'", p->keep[k], d->path);
            status = status_of(LR_LANGUAGE_ERROR);
        }
        if (cols)
            cols[k] = found;
    }
    return status;
}

LrStatus predict_check_columns(const LrSpec *spec, const LrSource *src, LrDiag *diag)
{
    LrStatus status = status_of(LR_OK);
    for (int i = 0; i < spec->predict_count; i++) {
        const LrPredictSpec *p = &spec->predicts[i];
        if (p->keep_count == 0)
            continue;
        LrCsvReader r;
        memset(&r, 0, sizeof r);
        Header names = {0};
        LrStatus one = keep_open(p, &spec->datasets[p->on.dataset], NULL, src, diag, &r, &names,
                                 NULL);
        /* A file that cannot be read is the data set's error, said once. */
        if (one.outcome == LR_LANGUAGE_ERROR)
            status = one;
        header_free(&names);
        csv_close(&r);
    }
    return status;
}

/* Writes rows [first, first + rows) of the part through the model, with
 * the block's kept texts (s->keep_*) when keep_count > 0. */
static int statement_block(const LrPredictRows *from, int64_t first, int rows, Stream *s,
                           int keep_count, Sink *sink)
{
    const float *x = from->x + (size_t)first * (size_t)from->width;
    LrTensor y = from->outputs(from->ctx, x, rows);
    for (int i = 0; i < rows; i++) {
        for (int k = 0; k < keep_count; k++)
            s->keep_ptr[k] =
                s->keep_text.data + s->keep_offset[(size_t)i * (size_t)keep_count + (size_t)k];
        predict_row(&s->out, from->desc, s->keep_ptr,
                    s->keep_len + (size_t)i * (size_t)keep_count, keep_count,
                    y.data + (size_t)i * (size_t)y.ld);
    }
    s->keep_text.length = 0;
    return sink_write(sink, &s->out);
}

/* The kept texts of the part's rows, read again from the file (the loaded
 * data hold numbers only; keeping every row's text while loading would
 * cost memory for every data set to serve this statement alone), block by
 * block with their predictions. The file must be the one loaded: same
 * SHA-256, same rows. */
static LrStatus statement_rows_kept(const LrPredictRows *from, const LrPredictSpec *p, Stream *s,
                                    Sink *sink, const LrSource *src, LrDiag *diag)
{
    const LrDatasetSpec *d = from->dataset_spec;
    const LrDataset *data = from->data;
    LrSha256 hash;
    sha256_init(&hash);
    LrCsvReader r;
    memset(&r, 0, sizeof r);
    Header names = {0};
    int *cols = malloc((size_t)p->keep_count * sizeof *cols);
    LrStatus status = cols ? keep_open(p, d, &hash, src, diag, &r, &names, cols)
                           : status_of(LR_RUN_FAILED);
    int64_t row = 0, taken = 0, block_first = 0;
    int rc = d->header ? csv_next(&r) : 1, rows = 0;
    for (; status_ok(status) && rc == 1; rc = csv_next(&r), row++) {
        if (r.field_count != names.count || row >= data->n)
            break; /* not the file that was loaded: said below */
        LrPart at = data->row_part ? (LrPart)data->row_part[row] : PART_TRAIN;
        if (at != p->on.part)
            continue;
        for (int k = 0; k < p->keep_count; k++) {
            size_t len, slot = (size_t)rows * (size_t)p->keep_count + (size_t)k;
            const char *text = csv_field(&r, cols[k], &len);
            s->keep_offset[slot] = s->keep_text.length;
            s->keep_len[slot] = len;
            buffer_append(&s->keep_text, text, len);
            buffer_append(&s->keep_text, "", 1);
        }
        taken++;
        if (++rows == from->block) {
            if (statement_block(from, block_first, rows, s, p->keep_count, sink) < 0)
                status = status_of(LR_RUN_FAILED);
            block_first += rows;
            rows = 0;
        }
    }
    if (status_ok(status) && rows > 0 &&
        statement_block(from, block_first, rows, s, p->keep_count, sink) < 0)
        status = status_of(LR_RUN_FAILED);
    if (status_ok(status)) {
        unsigned char digest[32];
        char hex[65];
        sha256_final(&hash, digest);
        sha256_digest_hex(digest, hex);
        if (rc != 0 || taken != from->rows || strcmp(hex, data->sha256) != 0) {
            diag_error(diag, src, p->keep_span,
                       "'%s' changed since it was loaded: cannot copy its keep= columns",
                       d->path);
            status = status_of(LR_RUN_FAILED);
        }
    }
    free(cols);
    header_free(&names);
    csv_close(&r);
    return status;
}

LrStatus predict_statement(const LrPredictSpec *p, const LrPredictRows *from,
                           const LrSource *src, LrDiag *diag)
{
    char why[PATH_MAX + 200];
    Sink sink = {.file = {.fd = -1}, .to_file = true};
    Stream s = {0};
    size_t slots = (size_t)from->block * (size_t)(p->keep_count ? p->keep_count : 1);
    LrStatus status = status_of(LR_RUN_FAILED);
    s.keep_offset = malloc(slots * sizeof *s.keep_offset);
    s.keep_len = malloc(slots * sizeof *s.keep_len);
    s.keep_ptr = malloc((size_t)(p->keep_count ? p->keep_count : 1) * sizeof *s.keep_ptr);
    if (!s.keep_offset || !s.keep_len || !s.keep_ptr) {
        diag_error(diag, src, p->span, "out of memory");
        goto done;
    }
    if (file_stream_open(&sink.file, p->path, why, sizeof why) < 0) {
        diag_error(diag, src, p->path_span, "%s", why);
        goto done;
    }
    predict_header(&s.out, from->desc, p->keep, p->keep_count);
    if (sink_write(&sink, &s.out) < 0)
        goto done;
    if (p->keep_count > 0) {
        status = statement_rows_kept(from, p, &s, &sink, src, diag);
    } else {
        status = status_of(LR_OK);
        for (int64_t first = 0; status_ok(status) && first < from->rows; first += from->block) {
            int rows = (int)(from->rows - first < from->block ? from->rows - first : from->block);
            if (statement_block(from, first, rows, &s, 0, &sink) < 0)
                status = status_of(LR_RUN_FAILED);
        }
    }
    if (status_ok(status) && file_stream_commit(&sink.file, why, sizeof why) < 0) {
        diag_error(diag, src, p->path_span, "%s", why);
        status = status_of(LR_RUN_FAILED);
    }
done:
    file_stream_abort(&sink.file);
    stream_free(&s);
    return status;
}
