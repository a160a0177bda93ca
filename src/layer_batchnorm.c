/* layer_batchnorm.c — batch normalization over the last dimension (Keras's
 * BatchNormalization, axis=-1): a row of l->in values is in / channels
 * samples of l->channels values each (a channels-last image: h w samples;
 * after dense: one), and each channel is normalized over every sample of
 * every row of the batch:
 *
 *   y = x inv + (beta - mean inv),  inv = gamma / sqrt(var + epsilon)
 *
 * (TensorFlow's batch_normalization, which Keras 3 calls) with the batch's
 * mean and biased variance in a training forward, the moving averages in
 * inference. A training forward also updates the moving averages as Keras 3
 * does, with the biased batch variance:
 *
 *   moving = momentum moving + (1 - momentum) batch
 *
 * (TensorFlow's fused kernel, behind tf.keras 2's layer, and PyTorch's
 * BatchNorm2d put the Bessel-corrected variance N / (N - 1) var there
 * instead; Keras 3's layer does not.)
 *
 * Every loop is split over the channels (pool_run) and each channel's sums
 * run over the rows and samples in order, in double: the bytes do not
 * depend on the thread count. Channels go by blocks of BN_BLOCK so that a
 * pass over a row reads it contiguously, with the block's sums on the
 * stack. No allocation. */
#include <math.h>

#include "layer.h"
#include "pool.h"

enum { BN_BLOCK = 64 };

typedef struct BnJob {
    LrLayer *l;
    const LrTensor *x, *dy;
    LrTensor *y, *dx;
    bool training;
} BnJob;

/* The samples of a row and the values counted in each channel's sums. */
static int samples_per_row(const LrLayer *l)
{
    return l->in / l->channels;
}

/* y = x scale + shift over channels [c0, c0 + w). */
static void apply(const BnJob *job, int c0, int w, const float *scale, const float *shift)
{
    const int channels = job->l->channels, samples = samples_per_row(job->l);
    for (int i = 0; i < job->x->rows; i++) {
        const float *xr = &TENSOR_AT(*job->x, i, 0);
        float *yr = &TENSOR_AT(*job->y, i, 0);
        for (int s = 0; s < samples; s++) {
            const float *restrict xv = xr + (size_t)s * (size_t)channels + c0;
            float *restrict yv = yr + (size_t)s * (size_t)channels + c0;
            for (int k = 0; k < w; k++)
                yv[k] = xv[k] * scale[k] + shift[k];
        }
    }
}

/* The batch's mean and biased variance of channels [c0, c0 + w), two
 * passes in double. */
static void batch_moments(const BnJob *job, int c0, int w, double *mean, double *var)
{
    const int channels = job->l->channels, samples = samples_per_row(job->l);
    const double count = (double)job->x->rows * samples;
    for (int k = 0; k < w; k++)
        mean[k] = var[k] = 0;
    for (int i = 0; i < job->x->rows; i++)
        for (int s = 0; s < samples; s++) {
            const float *xv = &TENSOR_AT(*job->x, i, (size_t)s * (size_t)channels + (size_t)c0);
            for (int k = 0; k < w; k++)
                mean[k] += xv[k];
        }
    for (int k = 0; k < w; k++)
        mean[k] /= count;
    for (int i = 0; i < job->x->rows; i++)
        for (int s = 0; s < samples; s++) {
            const float *xv = &TENSOR_AT(*job->x, i, (size_t)s * (size_t)channels + (size_t)c0);
            for (int k = 0; k < w; k++) {
                double d = xv[k] - mean[k];
                var[k] += d * d;
            }
        }
    for (int k = 0; k < w; k++)
        var[k] /= count;
}

static void forward_channels(void *ctx, size_t begin, size_t end)
{
    const BnJob *job = ctx;
    LrLayer *l = job->l;
    for (size_t c0 = begin; c0 < end; c0 += BN_BLOCK) {
        const int w = (int)(end - c0 < BN_BLOCK ? end - c0 : BN_BLOCK);
        float scale[BN_BLOCK], shift[BN_BLOCK];
        double mean[BN_BLOCK], var[BN_BLOCK];
        if (job->training) {
            batch_moments(job, (int)c0, w, mean, var);
        } else {
            for (int k = 0; k < w; k++) {
                mean[k] = l->moving_mean[c0 + k];
                var[k] = l->moving_variance[c0 + k];
            }
        }
        for (int k = 0; k < w; k++) {
            const size_t c = c0 + (size_t)k;
            const float m = (float)mean[k];
            const float inv_std = (float)(1.0 / sqrt(var[k] + l->epsilon));
            scale[k] = inv_std * l->weight.data[c];
            shift[k] = l->bias.data[c] - m * scale[k];
            if (job->training) {
                l->batch_mean[c] = m;
                l->batch_inv_std[c] = inv_std;
                l->moving_mean[c] = l->moving_mean[c] * l->momentum + m * (1 - l->momentum);
                l->moving_variance[c] =
                    l->moving_variance[c] * l->momentum + (float)var[k] * (1 - l->momentum);
            }
        }
        apply(job, (int)c0, w, scale, shift);
    }
}

static void bn_forward(LrLayer *l, const LrTensor *x, LrTensor *out, bool training)
{
    LrTensor y = tensor_first_rows(out, x->rows);
    BnJob job = {l, x, NULL, &y, NULL, training};
    size_t work = (size_t)x->rows * (size_t)samples_per_row(l);
    pool_run((size_t)l->channels, pool_grain(work), forward_channels, &job);
}

/* With xhat = (x - mean) inv_std and N values per channel:
 *   dbeta = sum dy, dgamma = sum dy xhat,
 *   dx = gamma inv_std / N (N dy - dbeta - xhat dgamma). */
static void backward_channels(void *ctx, size_t begin, size_t end)
{
    const BnJob *job = ctx;
    const LrLayer *l = job->l;
    const int channels = l->channels, samples = samples_per_row(l), rows = job->x->rows;
    const double count = (double)rows * samples;
    for (size_t c0 = begin; c0 < end; c0 += BN_BLOCK) {
        const int w = (int)(end - c0 < BN_BLOCK ? end - c0 : BN_BLOCK);
        const float *mean = l->batch_mean + c0, *inv = l->batch_inv_std + c0;
        double sum_dy[BN_BLOCK] = {0}, sum_dy_xhat[BN_BLOCK] = {0};
        for (int i = 0; i < rows; i++)
            for (int s = 0; s < samples; s++) {
                const size_t at = (size_t)s * (size_t)channels + c0;
                const float *xv = &TENSOR_AT(*job->x, i, at), *g = &TENSOR_AT(*job->dy, i, at);
                for (int k = 0; k < w; k++) {
                    sum_dy[k] += g[k];
                    sum_dy_xhat[k] += (double)g[k] * ((xv[k] - mean[k]) * inv[k]);
                }
            }
        for (int k = 0; k < w; k++) {
            l->dbias.data[c0 + k] = (float)sum_dy[k];
            l->dweight.data[c0 + k] = (float)sum_dy_xhat[k];
        }
        if (!job->dx)
            continue;
        for (int i = 0; i < rows; i++)
            for (int s = 0; s < samples; s++) {
                const size_t at = (size_t)s * (size_t)channels + c0;
                const float *xv = &TENSOR_AT(*job->x, i, at), *g = &TENSOR_AT(*job->dy, i, at);
                float *d = &TENSOR_AT(*job->dx, i, at);
                for (int k = 0; k < w; k++) {
                    double xhat = (xv[k] - mean[k]) * inv[k];
                    double factor = (double)l->weight.data[c0 + k] * inv[k] / count;
                    d[k] = (float)(factor * (count * g[k] - sum_dy[k] - xhat * sum_dy_xhat[k]));
                }
            }
    }
}

static void bn_backward(LrLayer *l, const LrTensor *x, const LrTensor *out, LrTensor *dout,
                        LrTensor *dx)
{
    (void)out;
    const int n = x->rows;
    LrTensor dy = tensor_first_rows(dout, n);
    LrTensor dxv = dx ? tensor_first_rows(dx, n) : (LrTensor){0};
    BnJob job = {l, x, &dy, NULL, dx ? &dxv : NULL, true};
    size_t work = (size_t)n * (size_t)samples_per_row(l);
    pool_run((size_t)l->channels, pool_grain(work), backward_channels, &job);
}

const LrLayerOps layer_batchnorm_ops = {
    .name = "batch_normalization",
    .forward = bn_forward,
    .backward = bn_backward,
};
