/* export.h — `lrc export`: a described model (model.h) written for use
 * without lrc, as one C99 file (export_c.c) or an ONNX model
 * (export_onnx.c). */
#ifndef LR_EXPORT_H
#define LR_EXPORT_H
#include <stdbool.h>

#include "fileio.h"
#include "model.h"
#include "status.h"

typedef struct LrExportOptions {
    const char *c_path;    /* the C file to write, or NULL */
    const char *onnx_path; /* the ONNX file to write, or NULL */
    const char *name;      /* the C file's prefix (NAME_predict, NAME_FEATURES) */
    bool force;            /* replace an existing file */
} LrExportOptions;

/* The longest --name: the prefix plus "_feature_names" stays within the 63
 * significant characters C99 promises for internal identifiers. */
#define EXPORT_NAME_MAX 48

/* Whether name can prefix the exported C identifiers: a letter, then
 * letters, digits or '_' (no leading '_': those names are the
 * implementation's), at most EXPORT_NAME_MAX. */
bool export_name_valid(const char *name);

/* Opens the model (a model.safetensors or a run directory) and writes each
 * file asked for, whole or not at all. An existing file without force, a
 * model that cannot be opened or lacks its description: LR_LANGUAGE_ERROR,
 * nothing written; a file that cannot be written: LR_RUN_FAILED. */
LrStatus export_model(const char *model_path, const LrExportOptions *o);

/* The C source of the model, appended to out (failed on out of memory). */
void export_c(const LrModel *m, const char *name, LrBuffer *out);

/* The ONNX model's bytes, appended to out. 0, or -1 with a reason. */
int export_onnx(const LrModel *m, LrBuffer *out, char *why, size_t why_size);

#endif
