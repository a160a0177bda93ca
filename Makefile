# lrc — build, test and install. Switches:
#   SAN=1     build and test under AddressSanitizer + UndefinedBehaviorSanitizer
#   DEBUG=1   no optimization
#   CC=clang  any C11 compiler (gcc and clang are both kept warning-free)
#   PREFIX=   install prefix (default /usr/local); only `make install` reads it:
#             lrc finds its stdlib relative to its own binary
SAN    ?= 0
DEBUG  ?= 0
PREFIX ?= /usr/local
CC     ?= cc

# Debian packages needed to build and test; `make deps` installs the missing.
DEB_PACKAGES := re2c lemon libopenblas-dev libcmocka-dev pkg-config mandoc \
                gcc clang libclang-rt-14-dev libc6-dev make python3 python3-numpy valgrind \
                libplplot-dev plplot-driver-cairo

ifeq ($(SAN),1)
BUILD := build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD := build/$(notdir $(CC))
SANFLAGS :=
endif
# gcc vectorizes at -O2 only loops that need no runtime checks; the
# element-wise loops of training (activations, optimizers) want the dynamic
# cost model. clang vectorizes them at -O2 already.
ifeq ($(findstring clang,$(CC)),)
VECFLAGS := -fvect-cost-model=dynamic
endif
ifeq ($(DEBUG),1)
OPT := -O0
BUILD := $(BUILD)-debug
else
OPT := -O2 $(VECFLAGS)
endif
GEN := build/gen
LEMON_TEMPLATE := /usr/share/lemon/lempar.c

# Recursive (=) so that pkg-config runs after `make deps` installed it.
BLAS_CFLAGS = $(shell pkg-config --cflags openblas)
BLAS_LIBS   = $(shell pkg-config --libs openblas)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka)
# PLplot draws `lrc plot`'s figures; plot.c loads it at run time by its
# soname (libplplot.so.17), from libdir if the loader does not find it.
PLOT_CFLAGS = $(shell pkg-config --cflags plplot)
PLOT_LIBDIR = $(shell pkg-config --variable=libdir plplot)
PLOT_SONAME = $(or $(shell objdump -p $(PLOT_LIBDIR)/libplplot.so 2>/dev/null | \
                  sed -n 's/^ *SONAME *//p'),libplplot.so)

CFLAGS  = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes $(OPT) -g -gdwarf-4 \
          -D_POSIX_C_SOURCE=200809L $(SANFLAGS) -Isrc -I$(GEN) $(BLAS_CFLAGS) $(PLOT_CFLAGS) \
          -DLRC_BLAS_LIBDIR='"$(shell pkg-config --variable=libdir openblas)"' \
          -DLRC_PLOT_LIBDIR='"$(PLOT_LIBDIR)"' -DLRC_PLOT_SONAME='"$(PLOT_SONAME)"'
# Generated code keeps the project's warnings but not all of Lemon's habits.
GENFLAGS = -Wno-unused-parameter -Wno-unused-variable -Wno-shadow
# OpenBLAS and PLplot are loaded at run time (blas.c, plot.c); only their
# headers are needed here.
LDLIBS  = -pthread -ldl -lm

# Modules by stage; one object per file in src/ (and the generated parser).
CORE    := arena source diag
FRONT   := words lex lr parse ast check options fold modules sets compile
RUNTIME := rng schedule pool blas activation layer_dense layer_dropout layer_activation loss metrics optim init synth csv decimal data sha256 fileio json safetensors plan train report model weights explain run expr sweep minimize sandbox plot predict
LRC_OBJS := $(addprefix $(BUILD)/obj/,$(addsuffix .o,$(CORE) $(FRONT) $(RUNTIME) main))

# Unit tests: tests/unit/test_<module>.c, each linked with only what it needs.
UNIT_TESTS := train pool decimal diag words lex parse check rng schedule dense layers loss metrics optim init synth csv data sha256 fileio json safetensors model expr
test_diag_MODS     := $(CORE)
test_lex_MODS      := $(CORE) words lex
test_words_MODS    := $(CORE) words lex expr
test_parse_MODS    := $(CORE) words lex lr parse ast
test_check_MODS    := $(CORE) $(FRONT) fileio expr sandbox
test_train_MODS    := $(CORE) $(FRONT) fileio expr sandbox rng schedule pool blas activation \
                      layer_dense layer_dropout layer_activation loss metrics optim init synth \
                      csv decimal data sha256 json safetensors plan train report
test_train_LDFLAGS := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
test_rng_MODS      := rng
test_pool_MODS     := pool
test_decimal_MODS  := decimal
test_schedule_MODS := schedule
test_dense_MODS    := pool blas activation layer_dense $(CORE)
test_layers_MODS   := pool blas activation layer_dense layer_dropout layer_activation rng $(CORE)
test_loss_MODS     := loss
test_metrics_MODS  := metrics loss words
test_optim_MODS    := optim schedule pool
test_init_MODS     := init rng
test_synth_MODS    := synth rng
test_csv_MODS      := csv sha256 fileio sandbox $(CORE)
test_data_MODS     := data csv decimal synth rng sha256 fileio sandbox $(CORE)
test_sha256_MODS   := sha256
test_fileio_MODS   := fileio sandbox
test_json_MODS     := json fileio decimal sandbox
test_safetensors_MODS := safetensors json fileio decimal sandbox
test_expr_MODS     := expr
test_model_MODS    := $(CORE) $(FRONT) fileio expr sandbox rng schedule pool blas activation \
                      layer_dense layer_dropout layer_activation loss metrics optim init synth \
                      csv decimal data sha256 json safetensors plan train report model weights
UNIT_BINS := $(addprefix $(BUILD)/tests/test_,$(UNIT_TESTS))

.PHONY: all lrc deps demo check test lint clean install fuzz bench
all: lrc

lrc: $(BUILD)/lrc
	@if [ "$(SAN)" != 1 ]; then cp $(BUILD)/lrc lrc.new && mv -f lrc.new lrc; fi

$(BUILD)/lrc: $(LRC_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(GEN)/lr.c $(GEN)/lr.h: grammar/lr.y
	@mkdir -p $(GEN)
	lemon -q -d$(GEN) -T$(LEMON_TEMPLATE) grammar/lr.y
	@touch $(GEN)/lr.h # lemon keeps an unchanged header's old time

$(GEN)/lex.c: src/lex.re $(GEN)/lr.h
	@mkdir -p $(GEN)
	re2c -W --no-generation-date -o $@ src/lex.re

$(BUILD)/obj/lr.o: $(GEN)/lr.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(GENFLAGS) -MMD -c -o $@ $<

$(BUILD)/obj/lex.o: $(GEN)/lex.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -c -o $@ $<

$(BUILD)/obj/%.o: src/%.c | $(GEN)/lr.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -c -o $@ $<

$(BUILD)/obj/test_%.o: tests/unit/test_%.c | $(GEN)/lr.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -c -o $@ $<

.SECONDEXPANSION:
$(BUILD)/tests/test_%: $(BUILD)/obj/test_%.o $$(addprefix $(BUILD)/obj/,$$(addsuffix .o,$$(test_$$*_MODS)))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(test_$*_LDFLAGS) $(CMOCKA_LIBS) $(LDLIBS)

# Test objects come from a pattern chain: keep them between builds.
.PRECIOUS: $(BUILD)/obj/%.o

-include $(wildcard $(BUILD)/obj/*.d)

# --- what a newcomer runs -------------------------------------------------
deps:
	@sh tests/deps.sh $(DEB_PACKAGES)

demo: deps
	@$(MAKE) --no-print-directory lrc
	./lrc examples/students.lr

check: deps
	@$(MAKE) --no-print-directory test

test: lrc $(UNIT_BINS)
	@sh tests/run.sh $(BUILD)

lint:
	mandoc -Tlint -Wwarning man/lrc.1 man/lr.5

install: lrc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/lrc/stdlib
	install -m 755 lrc $(DESTDIR)$(PREFIX)/bin/lrc
	install -m 644 man/lrc.1 $(DESTDIR)$(PREFIX)/share/man/man1/lrc.1
	install -m 644 man/lr.5 $(DESTDIR)$(PREFIX)/share/man/man5/lr.5
	install -m 644 stdlib/*.lr $(DESTDIR)$(PREFIX)/share/lrc/stdlib/

clean:
	rm -rf build lrc

# --- fuzzing ---------------------------------------------------------------
# libFuzzer harnesses in fuzz/ (fuzz_check: lexer, parser, checker and
# `lrc schedule`; fuzz_csv: csv.c and data.c; fuzz_safetensors: the
# weights/checkpoint reader). They always build with clang (libFuzzer is
# clang's) under ASan + UBSan into build/fuzz/, whatever CC, SAN and DEBUG.
#   make fuzz FUZZ_SECONDS=N   seeds the corpora, runs each harness N seconds,
#                              prints a summary line per harness, fails on a
#                              crash (crashing inputs in build/fuzz/crashes/)
#   make fuzz-replay           replays tests/fuzz/NAME/ (the regressions) with
#                              plain-main binaries built like the rest of
#                              $(BUILD) (so under ASan with SAN=1); `make
#                              check` does this via tests/golden/fuzz.sh
FUZZ_SECONDS ?= 60
FUZZ_CC      := clang
FUZZ         := build/fuzz
FUZZ_NAMES   := check csv safetensors
# What each harness links: its unit test's modules (+ schedule for check).
fuzz_check_MODS       := $(test_check_MODS) schedule
fuzz_csv_MODS         := $(test_data_MODS)
fuzz_safetensors_MODS := $(test_safetensors_MODS)
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -O1 -g -gdwarf-4 \
               -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
               -Isrc -I$(GEN) -Ifuzz
FUZZ_BINS   := $(addprefix $(FUZZ)/fuzz_,$(FUZZ_NAMES))
REPLAY_BINS := $(addprefix $(BUILD)/fuzz/replay_,$(FUZZ_NAMES))

.PHONY: fuzz-build fuzz-replay fuzz-replay-build tsan bench-blocks

fuzz: fuzz-build $(BUILD)/lrc
	@sh fuzz/run.sh $(FUZZ_SECONDS) $(BUILD)/lrc $(FUZZ_NAMES)

fuzz-build: $(FUZZ_BINS)

# Objects for libFuzzer: coverage-instrumented, one per module.
$(FUZZ)/obj/lr.o: $(GEN)/lr.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(GENFLAGS) -MMD -c -o $@ $<

$(FUZZ)/obj/lex.o: $(GEN)/lex.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -c -o $@ $<

$(FUZZ)/obj/%.o: src/%.c | $(GEN)/lr.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -c -o $@ $<

$(FUZZ)/obj/fuzz_%.o: fuzz/fuzz_%.c | $(GEN)/lr.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -c -o $@ $<

$(FUZZ)/fuzz_%: $(FUZZ)/obj/fuzz_%.o $(FUZZ)/obj/fuzz_file.o \
                $$(addprefix $(FUZZ)/obj/,$$(addsuffix .o,$$(fuzz_$$*_MODS)))
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ -lm

# Replay binaries: the same harnesses with replay.c's main, built with CC,
# CFLAGS and SANFLAGS of $(BUILD) and linked with its objects.
fuzz-replay-build: $(REPLAY_BINS)

fuzz-replay: $(REPLAY_BINS)
	$(BUILD)/fuzz/replay_check tests/fuzz/check tests/errors/*.lr
	$(BUILD)/fuzz/replay_csv tests/fuzz/csv
	$(BUILD)/fuzz/replay_safetensors tests/fuzz/safetensors

$(BUILD)/fuzz/obj/%.o: fuzz/%.c | $(GEN)/lr.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ifuzz -MMD -c -o $@ $<

$(BUILD)/fuzz/replay_%: $(BUILD)/fuzz/obj/replay.o $(BUILD)/fuzz/obj/fuzz_%.o \
                        $(BUILD)/fuzz/obj/fuzz_file.o \
                        $$(addprefix $(BUILD)/obj/,$$(addsuffix .o,$$(fuzz_$$*_MODS)))
	$(CC) $(CFLAGS) -o $@ $^ -lm

# Keep the harness objects too (.PRECIOUS matches by rule pattern only).
FUZZ_OWN := $(addsuffix .o,$(addprefix fuzz_,$(FUZZ_NAMES) file) replay)
.PRECIOUS: $(FUZZ)/obj/%.o $(BUILD)/fuzz/obj/%.o
.SECONDARY: $(addprefix $(FUZZ)/obj/,$(FUZZ_OWN)) $(addprefix $(BUILD)/fuzz/obj/,$(FUZZ_OWN))

-include $(wildcard $(FUZZ)/obj/*.d $(BUILD)/fuzz/obj/*.d)

# --- threads under ThreadSanitizer -------------------------------------------
# `make tsan` builds the unit tests of the code that runs on lrc's threads
# (the pool, and the optimizer, layers and products it splits) with clang
# -fsanitize=thread into build/tsan/ and runs them; CI runs it.
TSAN       := build/tsan
TSAN_TESTS := pool optim dense
TSAN_CFLAGS = -std=c11 -Wall -Wextra -Werror -Wshadow -O1 -g -D_POSIX_C_SOURCE=200809L \
              -fsanitize=thread -Isrc $(BLAS_CFLAGS) \
              -DLRC_BLAS_LIBDIR='"$(shell pkg-config --variable=libdir openblas)"'

tsan: $(addprefix $(TSAN)/test_,$(TSAN_TESTS))
	@for t in $^; do $$t >$$t.log 2>&1 && ! grep -q ThreadSanitizer $$t.log || \
	    { cat $$t.log; echo "tsan: $$t failed"; exit 1; }; echo "tsan: $$t ok"; done

$(TSAN)/test_%: tests/unit/test_%.c $$(addprefix src/,$$(addsuffix .c,$$(test_$$*_MODS)))
	@mkdir -p $(dir $@)
	clang $(TSAN_CFLAGS) -o $@ $^ $(CMOCKA_LIBS) -pthread -ldl -lm

# --- benchmarks --------------------------------------------------------------
# `make bench` times ./lrc (built optimized, never SAN, with CC) against
# peers doing the same work — PyTorch scripts in bench/peers/, numpy's
# loadtxt, wc -l, and bench/sgemm_limit (the MLP step's GEMMs alone) — and
# prints a table of medians and ratios, also kept in build/bench/results.txt.
# bench/run.py says what each number measures. Switches:
#   BENCH_RUNS=N   runs of each program, in turn (default 5)
#   CSV_MB=N       size of the generated CSV, in MiB (default 1024; it is
#                  written to build/bench/ and deleted afterwards)
#   PREDICT_ROWS=N rows that `lrc predict` reads (default 100000, ~280 MB)
#   BENCH_ONLY=    a comma-separated subset of
#                  grades,mlp,digits,csv,check,predict,rundir
BENCH_RUNS ?= 5
CSV_MB     ?= 1024
PREDICT_ROWS ?= 100000
BENCH_ONLY ?= grades,mlp,digits,csv,check,predict,rundir
BENCH_PACKAGES := python3-torch python3-numpy time
BENCH_LRC := build/$(notdir $(CC))/lrc

bench:
	@sh tests/deps.sh $(DEB_PACKAGES) $(BENCH_PACKAGES)
	@$(MAKE) --no-print-directory SAN=0 DEBUG=0 lrc build/bench/sgemm_limit
	/usr/bin/python3 bench/run.py --lrc $(BENCH_LRC) --sgemm build/bench/sgemm_limit \
	    --out build/bench --runs $(BENCH_RUNS) --csv-mb $(CSV_MB) --predict-rows $(PREDICT_ROWS) \
	    --only $(BENCH_ONLY)

# `make bench-blocks`: the kernel choices of src/blas.h. bench/tiny_gemm.c
# (loop or BLAS, BLAS_TINY_GEMM) and bench/gemm_blocks.c (BLAS_BLOCK) built
# for each block size in BENCH_BLOCKS, at 1 and 2 threads, beside
# sgemm_limit's whole products on OpenBLAS's own threads; alternating, 3
# rounds.
BENCH_BLOCKS ?= 64 128 256 512
BENCH_CFLAGS = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -O2 -g \
               -D_POSIX_C_SOURCE=200809L -Isrc $(BLAS_CFLAGS) \
               -DLRC_BLAS_LIBDIR='"$(shell pkg-config --variable=libdir openblas)"'

bench-blocks: build/bench/tiny_gemm build/bench/sgemm_limit \
              $(addprefix build/bench/gemm_blocks_,$(BENCH_BLOCKS))
	build/bench/tiny_gemm
	@for round in 1 2 3; do for t in 1 2; do build/bench/sgemm_limit $$t; \
	    for b in $(BENCH_BLOCKS); do build/bench/gemm_blocks_$$b $$t; done; done; done

build/bench/gemm_blocks_%: bench/gemm_blocks.c src/blas.c src/pool.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -DBLAS_BLOCK=$* -o $@ $^ -pthread -ldl -lm

build/bench/tiny_gemm: bench/tiny_gemm.c src/blas.c src/pool.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $^ $(BLAS_LIBS) -pthread -ldl -lm

build/bench/sgemm_limit: bench/sgemm_limit.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -O2 -g $(BLAS_CFLAGS) \
	    -o $@ $< $(BLAS_LIBS)
