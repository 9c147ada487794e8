/*
 * The batch-inference MLP (examples/hlo/mlp32.hlo) compiled ahead of time by `tessera compile` and
 * linked into a plain C program: no JVM, no LLVM at run time. Builds the same features as
 * io.tessera.examples.BatchInference (feature j of row r = (float) sin(r * 0.001 * (j + 1) + j)),
 * scores every row in one call of the compiled kernel and prints the first rows' probabilities.
 *
 *   make -C examples/aot run [ROWS=1000000]      (see the Makefile)
 *   build/mlp_aot [ROWS [SHOWN]]
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mlp.h" /* written by `tessera compile ... -o build/mlp` */

#define FEATURES (MLP_PARAM0_ROW_BYTES / sizeof(float))
#define CLASSES (MLP_RESULT0_ROW_BYTES / sizeof(float))

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  long rows = argc > 1 ? atol(argv[1]) : 1000000;
  long shown = argc > 2 ? atol(argv[2]) : 5;
  if (rows < 1 || shown < 0) {
    fprintf(stderr, "usage: %s [ROWS >= 1 [SHOWN]]\n", argv[0]);
    return 2;
  }
  float* x = malloc(MLP_PARAM0_BYTES(rows));
  float* y = malloc(MLP_RESULT0_BYTES(rows));
  size_t scratch_bytes = MLP_SCRATCH_BYTES(rows);
  /* aligned_alloc wants a size that is a multiple of the alignment. */
  size_t rounded = (scratch_bytes + MLP_SCRATCH_ALIGN - 1) / MLP_SCRATCH_ALIGN * MLP_SCRATCH_ALIGN;
  void* scratch = rounded ? aligned_alloc(MLP_SCRATCH_ALIGN, rounded) : NULL;
  if (!x || !y || (rounded && !scratch)) {
    fprintf(stderr, "out of memory for %ld rows\n", rows);
    return 1;
  }
  for (long r = 0; r < rows; r++) {
    for (size_t j = 0; j < FEATURES; j++) {
      x[r * FEATURES + j] = (float)sin(r * 0.001 * (double)(j + 1) + (double)j);
    }
  }

  const void* params[MLP_NUM_PARAMS] = {x};
  void* results[MLP_NUM_RESULTS] = {y};
  double start = now();
  int32_t status = mlp(rows, params, results, scratch);
  double seconds = now() - start;
  if (status != MLP_OK) {
    fprintf(stderr, "mlp returned %d\n", status);
    return 1;
  }

  for (long r = 0; r < shown && r < rows; r++) {
    printf("row %ld ", r);
    for (size_t k = 0; k < CLASSES; k++) {
      printf(" %.9g", y[r * CLASSES + k]);
    }
    printf("\n");
  }
  printf("%ld rows in %.3f s: %.0f rows/s (one call, one thread, no JVM)\n", rows, seconds, rows / seconds);
  free(x);
  free(y);
  free(scratch);
  return 0;
}
