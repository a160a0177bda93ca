/* export_onnx.c — a described model as an ONNX model, built from the
 * message types protoc-c generates from Debian's onnx.proto
 * (build/gen/onnx.pb-c.h) and encoded by libprotobuf-c: opset 13 with the
 * IR version that goes with it (7), an input "features" [N, F] of a
 * symbolic batch N, the normalization as Sub and Div, each dense layer as
 * MatMul and Add, its activation as Relu, Sigmoid, Tanh, Softmax (axis
 * -1), LeakyRelu or Elu (alpha), or gelu in Erf or Tanh and arithmetic
 * (add_gelu), dropout left out (inference is the identity), and an output
 * "outputs" [N, O]. The model's description (model.h's metadata keys)
 * rides along in metadata_props, so the class and input names travel
 * with the graph. Every message lives in one arena; the weights are
 * pointed at, not copied. */
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "onnx.pb-c.h"
#include "version.h"
#include "words.h"

#define ONNX_OPSET 13
#define ONNX_IR_VERSION 7 /* the IR of ONNX 1.8, whose opset is 13 */

typedef struct Graph {
    LrArena *arena;
    Onnx__NodeProto **nodes;
    size_t node_count;
    Onnx__TensorProto **inits;
    size_t init_count;
    bool failed; /* out of memory */
} Graph;

static void *graph_alloc(Graph *g, size_t size)
{
    void *p = g->failed ? NULL : arena_alloc(g->arena, size);
    if (p)
        memset(p, 0, size);
    else
        g->failed = true;
    return p;
}

/* "prefix/suffix" in the arena. */
static char *graph_name(Graph *g, const char *prefix, const char *suffix)
{
    size_t n = strlen(prefix) + 1 + strlen(suffix);
    char *s = graph_alloc(g, n + 1);
    if (s)
        snprintf(s, n + 1, "%s/%s", prefix, suffix);
    return s;
}

/* A float initializer named name, of shape dims, holding data. */
static void add_initializer(Graph *g, const char *name, const int64_t *dims, size_t rank,
                            const float *data)
{
    Onnx__TensorProto *t = graph_alloc(g, sizeof *t);
    int64_t *shape = graph_alloc(g, rank * sizeof *shape);
    if (!t || !shape)
        return;
    onnx__tensor_proto__init(t);
    size_t count = 1;
    for (size_t i = 0; i < rank; i++)
        count *= (size_t)(shape[i] = dims[i]);
    t->name = (char *)name;
    t->n_dims = rank;
    t->dims = shape;
    t->has_data_type = 1;
    t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    t->n_float_data = count;
    t->float_data = (float *)data; /* only read, by the encoder */
    g->inits[g->init_count++] = t;
}

/* A node op(a[, b]) -> out; returns it (NULL when out of memory). */
static Onnx__NodeProto *add_node(Graph *g, const char *op, const char *node_name,
                                 const char *a, const char *b, const char *out)
{
    Onnx__NodeProto *n = graph_alloc(g, sizeof *n);
    char **inputs = graph_alloc(g, 2 * sizeof *inputs);
    char **outputs = graph_alloc(g, sizeof *outputs);
    if (!n || !inputs || !outputs)
        return NULL;
    onnx__node_proto__init(n);
    inputs[0] = (char *)a;
    inputs[1] = (char *)b;
    outputs[0] = (char *)out;
    n->n_input = b ? 2 : 1;
    n->input = inputs;
    n->n_output = 1;
    n->output = outputs;
    n->op_type = (char *)op;
    n->name = (char *)node_name;
    g->nodes[g->node_count++] = n;
    return n;
}

/* Gives node n the attribute name: an integer, or a float when is_float. */
static void add_attribute(Graph *g, Onnx__NodeProto *n, const char *name, bool is_float,
                          int64_t i, float f)
{
    Onnx__AttributeProto *a = graph_alloc(g, sizeof *a);
    Onnx__AttributeProto **list = graph_alloc(g, sizeof *list);
    if (!n || !a || !list)
        return;
    onnx__attribute_proto__init(a);
    a->name = (char *)name;
    a->has_type = 1;
    if (is_float) {
        a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
        a->has_f = 1;
        a->f = f;
    } else {
        a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
        a->has_i = 1;
        a->i = i;
    }
    list[0] = a;
    n->n_attribute = 1;
    n->attribute = list;
}

/* op(a, b) -> layer/step, a node named layer/step too; returns its output. */
static const char *add_step(Graph *g, const char *op, const char *layer, const char *step,
                            const char *a, const char *b)
{
    const char *out = graph_name(g, layer, step);
    add_node(g, op, out, a, b, out);
    return out;
}

/* The constant [value] as the initializer layer/name (broadcast by the
 * arithmetic nodes). */
static const char *add_constant(Graph *g, const char *layer, const char *name,
                                const float *value)
{
    const char *c = graph_name(g, layer, name);
    const int64_t dims[1] = {1};
    add_initializer(g, c, dims, 1, value);
    return c;
}

/* Opset 13 has no Gelu (it came in opset 20): activation.c's formulas in
 * Erf or Tanh and arithmetic. The exact form is 0.5 x (1 + erf(x / sqrt 2)),
 * lrc's 0.5 x erfc(-x / sqrt 2) without erfc. */
static const char *add_gelu(Graph *g, bool approximate, const char *layer, const char *x)
{
    static const float half = 0.5f, one = 1.0f, sqrt_half = 0.7071067811865476f,
                       sqrt_2_over_pi = 0.7978845608028654f, cubic = 0.044715f;
    const char *inner;
    if (approximate) {
        const char *x2 = add_step(g, "Mul", layer, "gelu_x2", x, x);
        const char *x3 = add_step(g, "Mul", layer, "gelu_x3", x2, x);
        const char *c3 = add_step(g, "Mul", layer, "gelu_cubic", x3,
                                  add_constant(g, layer, "gelu_cubic_c", &cubic));
        const char *u = add_step(g, "Add", layer, "gelu_sum", x, c3);
        const char *su = add_step(g, "Mul", layer, "gelu_scaled", u,
                                  add_constant(g, layer, "gelu_sqrt_2_over_pi", &sqrt_2_over_pi));
        inner = add_step(g, "Tanh", layer, "gelu_tanh", su, NULL);
    } else {
        const char *sx = add_step(g, "Mul", layer, "gelu_scaled", x,
                                  add_constant(g, layer, "gelu_sqrt_half", &sqrt_half));
        inner = add_step(g, "Erf", layer, "gelu_erf", sx, NULL);
    }
    const char *plus = add_step(g, "Add", layer, "gelu_plus_one", inner,
                                add_constant(g, layer, "gelu_one", &one));
    const char *times = add_step(g, "Mul", layer, "gelu_times_x", x, plus);
    return add_step(g, "Mul", layer, "output", times, add_constant(g, layer, "gelu_half", &half));
}

/* The activation's nodes after x, named under layer; x itself when linear. */
static const char *add_activation(Graph *g, const LrModelLayer *l, const char *x)
{
    static const char *const ops[] = {[ACT_RELU] = "Relu",       [ACT_SIGMOID] = "Sigmoid",
                                      [ACT_TANH] = "Tanh",       [ACT_SOFTMAX] = "Softmax",
                                      [ACT_LEAKY_RELU] = "LeakyRelu", [ACT_ELU] = "Elu"};
    LrActivation act = l->activation;
    if (act == ACT_LINEAR)
        return x;
    if (act == ACT_GELU)
        return add_gelu(g, l->approximate, l->name, x);
    const char *out = graph_name(g, l->name, "output");
    Onnx__NodeProto *n = add_node(g, ops[act], graph_name(g, l->name, ops[act]), x, NULL, out);
    if (act == ACT_SOFTMAX)
        add_attribute(g, n, "axis", false, -1, 0);
    else if (activation_has_alpha(act))
        add_attribute(g, n, "alpha", true, 0, (float)l->alpha);
    return out;
}

/* A float tensor [N, width] named name, N symbolic. */
static Onnx__ValueInfoProto *value_info(Graph *g, const char *name, int width)
{
    Onnx__ValueInfoProto *v = graph_alloc(g, sizeof *v);
    Onnx__TypeProto *type = graph_alloc(g, sizeof *type);
    Onnx__TypeProto__Tensor *tensor = graph_alloc(g, sizeof *tensor);
    Onnx__TensorShapeProto *shape = graph_alloc(g, sizeof *shape);
    Onnx__TensorShapeProto__Dimension *dims = graph_alloc(g, 2 * sizeof *dims);
    Onnx__TensorShapeProto__Dimension **dim_list = graph_alloc(g, 2 * sizeof *dim_list);
    if (!v || !type || !tensor || !shape || !dims || !dim_list)
        return NULL;
    onnx__tensor_shape_proto__dimension__init(&dims[0]);
    dims[0].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
    dims[0].dim_param = "N";
    onnx__tensor_shape_proto__dimension__init(&dims[1]);
    dims[1].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    dims[1].dim_value = width;
    dim_list[0] = &dims[0];
    dim_list[1] = &dims[1];
    onnx__tensor_shape_proto__init(shape);
    shape->n_dim = 2;
    shape->dim = dim_list;
    onnx__type_proto__tensor__init(tensor);
    tensor->has_elem_type = 1;
    tensor->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    tensor->shape = shape;
    onnx__type_proto__init(type);
    type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    type->tensor_type = tensor;
    onnx__value_info_proto__init(v);
    v->name = (char *)name;
    v->type = type;
    return v;
}

/* The nodes and initializers of the model; returns the name of the
 * graph's last value. */
static const char *build_nodes(Graph *g, const LrModel *m)
{
    const LrModelDesc *d = &m->desc;
    const char *x = "features";
    if (d->normalize != NORM_NONE) {
        int64_t dims[1] = {d->features};
        add_initializer(g, "normalize/offset", dims, 1, d->norm_offset);
        add_initializer(g, "normalize/scale", dims, 1, d->norm_scale);
        add_node(g, "Sub", "normalize/Sub", x, "normalize/offset", "normalize/centered");
        add_node(g, "Div", "normalize/Div", "normalize/centered", "normalize/scale",
                 "normalize/output");
        x = "normalize/output";
    }
    for (int i = 0; i < d->layer_count && !g->failed; i++) {
        const LrModelLayer *l = &d->layers[i];
        if (l->kind == LAYER_DROPOUT)
            continue;
        if (l->kind == LAYER_DENSE) {
            const LrLayer *layer = &m->layers[i];
            const char *kernel = graph_name(g, l->name, "kernel");
            const char *bias = graph_name(g, l->name, "bias");
            const char *product = graph_name(g, l->name, "matmul");
            const char *sum = graph_name(g, l->name, "add");
            int64_t kdims[2] = {l->in, l->out}, bdims[1] = {l->out};
            add_initializer(g, kernel, kdims, 2, layer->weight.data);
            add_initializer(g, bias, bdims, 1, layer->bias.data);
            add_node(g, "MatMul", graph_name(g, l->name, "MatMul"), x, kernel, product);
            add_node(g, "Add", graph_name(g, l->name, "Add"), product, bias, sum);
            x = sum;
        }
        x = add_activation(g, l, x);
    }
    return x;
}

int export_onnx(const LrModel *m, LrBuffer *out, char *why, size_t why_size)
{
    const LrModelDesc *d = &m->desc;
    LrArena arena = {0};
    Graph g = {&arena, NULL, 0, NULL, 0, false};
    /* At most: Sub, Div, then MatMul, Add and an activation per layer (gelu's
     * tanh form: 10 nodes, 4 constants), and an Identity; two initializers
     * for the normalization and per layer. */
    size_t most = 12 * (size_t)d->layer_count + 3;
    g.nodes = graph_alloc(&g, most * sizeof *g.nodes);
    g.inits = graph_alloc(&g, most * sizeof *g.inits);
    const char *last = g.failed ? NULL : build_nodes(&g, m);
    /* The graph's output is "outputs": the last node's, renamed, or an
     * Identity when nothing but dropout stands between input and output. */
    if (!g.failed && g.node_count == 0)
        add_node(&g, "Identity", "Identity", last, NULL, "outputs");
    else if (!g.failed)
        g.nodes[g.node_count - 1]->output[0] = "outputs";

    LrMeta meta[MODEL_META_ROWS];
    int meta_count = g.failed ? -1 : model_to_meta(d, &arena, meta);
    g.failed |= meta_count < 0;
    Onnx__StringStringEntryProto *props =
        graph_alloc(&g, ((size_t)meta_count + 1) * sizeof *props);
    Onnx__StringStringEntryProto **prop_list =
        graph_alloc(&g, ((size_t)meta_count + 1) * sizeof *prop_list);
    for (int i = 0; !g.failed && i <= meta_count; i++) {
        onnx__string_string_entry_proto__init(&props[i]);
        props[i].key = (char *)(i < meta_count ? meta[i].key : "model_sha256");
        props[i].value = (char *)(i < meta_count ? meta[i].value : m->sha256);
        prop_list[i] = &props[i];
    }

    Onnx__ValueInfoProto *input = value_info(&g, "features", d->features);
    Onnx__ValueInfoProto *output = value_info(&g, "outputs", d->outputs);
    Onnx__GraphProto graph = ONNX__GRAPH_PROTO__INIT;
    graph.name = "lrc";
    graph.n_node = g.node_count;
    graph.node = g.nodes;
    graph.n_initializer = g.init_count;
    graph.initializer = g.inits;
    graph.n_input = 1;
    graph.input = &input;
    graph.n_output = 1;
    graph.output = &output;
    Onnx__OperatorSetIdProto opset = ONNX__OPERATOR_SET_ID_PROTO__INIT;
    Onnx__OperatorSetIdProto *opsets[1] = {&opset};
    opset.domain = "";
    opset.has_version = 1;
    opset.version = ONNX_OPSET;
    Onnx__ModelProto model = ONNX__MODEL_PROTO__INIT;
    model.has_ir_version = 1;
    model.ir_version = ONNX_IR_VERSION;
    model.n_opset_import = 1;
    model.opset_import = opsets;
    model.producer_name = "lrc";
    model.producer_version = LRC_VERSION;
    model.graph = &graph;
    model.n_metadata_props = (size_t)meta_count + 1;
    model.metadata_props = prop_list;

    int status = 0;
    if (g.failed || !input || !output) {
        snprintf(why, why_size, "out of memory");
        status = -1;
    } else {
        size_t size = onnx__model_proto__get_packed_size(&model);
        uint8_t *bytes = arena_alloc(&arena, size ? size : 1);
        if (!bytes) {
            snprintf(why, why_size, "out of memory");
            status = -1;
        } else {
            onnx__model_proto__pack(&model, bytes);
            buffer_append(out, bytes, size);
        }
    }
    arena_free(&arena);
    return status;
}
