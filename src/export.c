/* export.c — `lrc export`: opens the model once, refuses to replace a file
 * without --force before doing any work, and writes each output whole
 * (fileio.h), so a failure leaves no part of one. */
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "export.h"

/* An existing path (of any kind) is refused unless force. */
static bool refuse_existing(const char *path, bool force)
{
    struct stat st;
    if (!path || force || lstat(path, &st) != 0)
        return false;
    diag_plain("'%s' already exists: choose another name, or replace it with --force", path);
    return true;
}

static LrStatus write_whole(const char *path, LrBuffer *b, const char *what)
{
    char why[4096 + 256];
    if (b->failed) {
        diag_plain("out of memory writing the %s model '%s'", what, path);
        return status_of(LR_RUN_FAILED);
    }
    if (file_write_atomic(path, b->data ? b->data : "", b->length, why, sizeof why) < 0) {
        diag_plain("%s", why);
        return status_of(LR_RUN_FAILED);
    }
    return status_of(LR_OK);
}

LrStatus export_model(const char *model_path, const LrExportOptions *o)
{
    if (refuse_existing(o->c_path, o->force) || refuse_existing(o->onnx_path, o->force))
        return status_of(LR_LANGUAGE_ERROR);
    LrModel m;
    char why[4096 + 512];
    /* One row at a time: what the exported code computes. */
    if (model_open(&m, model_path, 1, why, sizeof why) != 0) {
        diag_plain("cannot export: %s", why);
        model_close(&m);
        return status_of(LR_LANGUAGE_ERROR);
    }
    /* The exporters write chains of dense layers (and the layers that act
     * on each value alone); image layers are not written yet. */
    for (int i = 0; i < m.desc.layer_count; i++) {
        LrLayerKind kind = m.desc.layers[i].kind;
        if (kind != LAYER_DENSE && kind != LAYER_DROPOUT && kind != LAYER_ACTIVATION) {
            diag_plain("cannot export '%s': its layer '%s' (%s) is not exported yet; lrc export "
                       "writes dense, dropout and activation layers",
                       m.path, m.desc.layers[i].name, layer_kind_name(kind));
            model_close(&m);
            return status_of(LR_LANGUAGE_ERROR);
        }
    }
    /* Both made before either is written: a failure to make one writes
     * nothing. */
    LrStatus status = status_of(LR_OK);
    LrBuffer text = {0}, bytes = {0};
    if (o->c_path)
        export_c(&m, o->name, &text);
    if (o->onnx_path && export_onnx(&m, &bytes, why, sizeof why) < 0) {
        diag_plain("cannot export to ONNX: %s", why);
        status = status_of(LR_RUN_FAILED);
    }
    if (status_ok(status) && o->c_path)
        status = write_whole(o->c_path, &text, "C");
    if (status_ok(status) && o->onnx_path)
        status = write_whole(o->onnx_path, &bytes, "ONNX");
    buffer_free(&text);
    buffer_free(&bytes);
    model_close(&m);
    return status;
}
